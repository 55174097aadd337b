//! Records whether burn 0.22's autodiff can differentiate a gradient (grad of grad), which a
//! Hamiltonian graph network trained through `dH/dq` would need.

use sdl_train::burn::prelude::*;
use sdl_train::cpu_device;

#[test]
fn first_derivative_works_second_does_not() {
    let device = cpu_device();
    let x = Tensor::<1>::from_floats([2.0], &device).require_grad();
    let y = x.clone().powf_scalar(3.0).sum();
    let grads = y.backward();
    let dx = x.grad(&grads).expect("first derivative");
    let v = dx.to_data().try_into_vec_as::<f32>().unwrap();
    assert!((v[0] - 12.0).abs() < 1e-4, "d(x^3)/dx at 2 = {}", v[0]);
    // The gradient comes back detached: no tape, so it cannot be differentiated again.
    assert!(!dx.is_tracked());
    let again = std::panic::catch_unwind(|| {
        let _ = dx.sum().backward();
    });
    assert!(again.is_err(), "burn now supports grad of grad: update the report");
}
