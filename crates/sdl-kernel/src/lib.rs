//! `sdl-kernel`: batched evaluation of formulas (reference interpreter, fused kernels, JIT), derivatives and constant fitting.
