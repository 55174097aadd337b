//! Multilayer perceptrons, the building block of every learned part of a graph network. In: a
//! shape ([`MlpSpec`]: hidden width, hidden layers, activation) and input/output sizes; out: an
//! [`Mlp`] module that maps rows `[rows, d_in] -> [rows, d_out]`, and, for Hamiltonian networks,
//! the same map together with its directional derivatives along chosen input coordinates
//! (forward-mode tangents, so that only first-order backpropagation is ever needed).
//! Always true: weights are PyTorch's default initialisation (uniform in `±1/sqrt(fan_in)`),
//! drawn from the `Rng` passed in, never from a process-wide generator, so two networks built
//! at once on different threads are each reproducible.

use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation;
use sdl_formula::rng::Rng;

/// The nonlinearity between hidden layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Activation {
    /// `max(x, 0)` (the paper's message-passing networks).
    Relu,
    /// `log(1 + exp(x))` (the paper's Hamiltonian networks: smooth, so `dH/dq` is too).
    Softplus,
    /// `tanh(x)`.
    Tanh,
    /// `x * sigmoid(x)`.
    Silu,
}

impl Activation {
    /// Every activation, in the order of [`Activation::name`]'s list.
    pub const ALL: [Activation; 4] = [Activation::Relu, Activation::Softplus, Activation::Tanh, Activation::Silu];

    /// The name used in `graphnet` declarations and model files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Softplus => "softplus",
            Activation::Tanh => "tanh",
            Activation::Silu => "silu",
        }
    }

    /// Looks an activation up by [`Activation::name`].
    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => activation::relu(x),
            Activation::Softplus => activation::softplus(x, 1.0),
            Activation::Tanh => x.tanh(),
            Activation::Silu => activation::silu(x),
        }
    }

    /// The derivative at the pre-activation `x`.
    fn derivative<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => x.greater_elem(0.0).float(),
            Activation::Softplus => activation::sigmoid(x),
            Activation::Tanh => {
                let t = x.tanh();
                t.clone().mul(t).neg().add_scalar(1.0)
            }
            Activation::Silu => {
                let s = activation::sigmoid(x.clone());
                s.clone() + x * s.clone() * s.neg().add_scalar(1.0)
            }
        }
    }
}

/// The shape of an MLP: `layers` hidden layers of width `hidden`, each followed by
/// `activation`, then a linear output layer.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MlpSpec {
    /// Width of every hidden layer (paper: 300).
    pub hidden: usize,
    /// Number of hidden layers (paper: 3, so four linear maps in all).
    pub layers: usize,
    /// Nonlinearity between layers.
    pub activation: Activation,
}

impl MlpSpec {
    /// The paper's shape: three hidden layers of 300 with ReLU.
    pub fn paper() -> MlpSpec {
        MlpSpec { hidden: 300, layers: 3, activation: Activation::Relu }
    }

    /// A shape with the given width and depth and ReLU.
    pub fn new(hidden: usize, layers: usize) -> MlpSpec {
        MlpSpec { hidden, layers, activation: Activation::Relu }
    }

    /// The same shape with another activation.
    pub fn with_activation(mut self, activation: Activation) -> MlpSpec {
        self.activation = activation;
        self
    }

    /// Builds the network `d_in -> d_out` on `device`, weights drawn from `rng`.
    pub fn init(&self, d_in: usize, d_out: usize, device: &Device, rng: &mut Rng) -> Mlp {
        let mut linears = Vec::with_capacity(self.layers + 1);
        let mut width = d_in;
        for _ in 0..self.layers {
            linears.push(linear(width, self.hidden, device, rng));
            width = self.hidden;
        }
        linears.push(linear(width, d_out, device, rng));
        Mlp { linears, activation: self.activation }
    }
}

/// A linear layer `d_in -> d_out` with weights and bias uniform in `±1/sqrt(d_in)`.
fn linear(d_in: usize, d_out: usize, device: &Device, rng: &mut Rng) -> Linear {
    let k = 1.0 / (d_in.max(1) as f64).sqrt();
    let mut draw = |len: usize| (0..len).map(|_| rng.range(-k, k) as f32).collect::<Vec<f32>>();
    let weight = Tensor::<2>::from_data(TensorData::new(draw(d_in * d_out), [d_in, d_out]), device);
    let bias = Tensor::<1>::from_data(TensorData::new(draw(d_out), [d_out]), device);
    Linear { weight: Param::from_tensor(weight), bias: Some(Param::from_tensor(bias)) }
}

/// A multilayer perceptron (see [`MlpSpec`]).
#[derive(Module, Debug)]
pub struct Mlp {
    linears: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

impl Mlp {
    /// Input width.
    pub fn d_in(&self) -> usize {
        self.linears.first().map_or(0, |l| l.weight.val().dims()[0])
    }

    /// Applies the network to rows `[rows, d_in]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.linears.len() - 1;
        let mut h = x;
        for (i, l) in self.linears.iter().enumerate() {
            h = l.forward(h);
            if i < last {
                h = self.activation.apply(h);
            }
        }
        h
    }

    /// The network's output on rows `x: [rows, d_in]` and its derivatives along the input
    /// coordinates `coords` (each `< d_in`): returns `(y [rows, d_out], t [coords, rows,
    /// d_out])` with `t[k, r, o] = d y[r, o] / d x[r, coords[k]]`. The tangents are propagated
    /// forward through every layer with tensor operations, so the result is differentiable
    /// with respect to the weights by ordinary backpropagation.
    pub fn forward_with_tangents(&self, x: Tensor<2>, coords: &[usize]) -> (Tensor<2>, Tensor<3>) {
        let [rows, _] = x.dims();
        let device = x.device();
        let k = coords.len();
        let last = self.linears.len() - 1;
        let mut h = x;
        let mut t: Option<Tensor<3>> = None; // [k, rows, width]
        for (i, l) in self.linears.iter().enumerate() {
            let w = l.weight.val();
            let [_, d_out] = w.dims();
            let pre = l.forward(h);
            let tangent = match t {
                // The first layer's tangent along input coordinate c is row c of the weights.
                None => {
                    let idx = Tensor::<1, Int>::from_data(
                        TensorData::new(coords.iter().map(|&c| c as i64).collect::<Vec<_>>(), [k]),
                        &device,
                    );
                    w.select(0, idx).reshape([k, 1, d_out]).expand([k, rows, d_out])
                }
                Some(t) => {
                    let [_, _, d_prev] = t.dims();
                    t.reshape([k * rows, d_prev]).matmul(w).reshape([k, rows, d_out])
                }
            };
            if i < last {
                let slope = self.activation.derivative(pre.clone()).reshape([1, rows, d_out]);
                t = Some(tangent * slope);
                h = self.activation.apply(pre);
            } else {
                t = Some(tangent);
                h = pre;
            }
        }
        let t = t.unwrap_or_else(|| Tensor::zeros([k, rows, 1], &device));
        (h, t)
    }
}
