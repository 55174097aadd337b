//! A longer run towards the paper's Table 1 on 2-D springs (n = 4): trains one regularizer
//! for a number of steps at the paper's network size and prints the loss curve and the R^2
//! of the top message channels against the true forces. Run with
//! `cargo run --release --example table1 [standard|bottleneck|l1|kl] [steps]`.

use std::time::Instant;

use sdl_sim::{simulate, Law, SimConfig};
use sdl_train::{cpu_device, extract_messages, force_fit, Dataset, GraphNetConfig, Regularizer, TrainConfig, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let reg = match args.get(1).map(String::as_str).unwrap_or("bottleneck") {
        "standard" => Regularizer::Standard,
        "l1" => Regularizer::L1 { weight: 1e-2 },
        "kl" => Regularizer::Kl { weight: 1.0 },
        "bottleneck" => Regularizer::Bottleneck,
        other => return Err(format!("unknown regularizer {other}").into()),
    };
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut cfg = SimConfig::new(Law::Spring, 4, 2);
    cfg.n_sims = 50;
    cfg.seed = 1;
    let sim = simulate(&cfg)?;
    let (train, test) = sim.split(0.8, 2)?;
    let data = Dataset::from_graph_data(&train)?;
    let device = cpu_device();
    let model = GraphNetConfig::new(4, 2).with_regularizer(reg);
    let mut t = Trainer::new(&model, TrainConfig::default(), &device)?;
    let start = Instant::now();
    let chunk = (steps / 10).max(1);
    let mut done = 0;
    while done < steps {
        let n = chunk.min(steps - done);
        let losses = t.train(&data, n)?;
        done += n;
        let mean = losses.iter().sum::<f64>() / n as f64;
        println!("step {done:6}: mean loss {mean:.4} ({:.1} s)", start.elapsed().as_secs_f64());
    }
    let graphs = &test.graphs[..1000.min(test.graphs.len())];
    let m = extract_messages(t.model(), graphs, &device)?;
    let fit = force_fit(&m, graphs, Law::Spring, 2)?;
    let std = m.channel_std();
    let mut top: Vec<f64> = m.top_channels(5).iter().map(|&c| std[c]).collect();
    top.iter_mut().for_each(|v| *v = (*v * 1000.0).round() / 1000.0);
    println!("{reg:?}: top channel stds {top:?}, active (>10% of max) {}", m.active_channels(0.1));
    println!(
        "R^2 force<-messages {:?} (mean {:.3}); messages<-force {:?} (mean {:.3})",
        fit.force_from_messages,
        fit.force_from_messages_mean(),
        fit.messages_from_force,
        fit.messages_from_force_mean()
    );
    Ok(())
}
