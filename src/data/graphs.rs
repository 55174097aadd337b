//! Graph data sets on disk: `sdl-sim` graphs to and from NPZ files (NumPy's zip of arrays), so
//! a simulation is run once and trained on many times, and other tools (the PyTorch baseline,
//! a notebook) read the same graphs. In: a [`GraphData`] or a path; out: the file or the
//! graphs. Always true: a file holds `nodes` `[graphs, n, 2 dim + 2]` (f64), `accel`
//! `[graphs, n, dim]` (f64) and `law` (the law's name as bytes); anything else read back is a
//! coded diagnostic (`file-not-found`, `bad-model-file`), never a panic.

use crate::diag::{Code, Diagnostic};
use crate::sim::{node_len, Graph, GraphData, Law};
use ndarray::{Array1, Array3};
use ndarray_npy::{NpzReader, NpzWriter};
use std::path::Path;

fn bad(path: &Path, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(Code::BadModelFile, format!("{} is not a graph file sdl can read: {why}", path.display()), 0..0)
        .with_label("reading this file")
        .with_help("pass an .npz file written by save(graphs, path)")
}

/// Writes `data` to `path` as NPZ.
pub fn save_graphs(data: &GraphData, path: &Path) -> Result<(), Diagnostic> {
    let io = |e: &dyn std::fmt::Display| {
        Diagnostic::new(Code::IoError, format!("cannot write {}: {e}", path.display()), 0..0)
            .with_label("writing this file")
            .with_help("check the path and permissions")
    };
    let (g, n, d) = (data.len(), data.n, data.dim);
    let f = node_len(d);
    let nodes: Vec<f64> = data.graphs.iter().flat_map(|gr| gr.nodes.iter().flatten().copied()).collect();
    let accel: Vec<f64> = data.graphs.iter().flat_map(|gr| gr.accel.iter().flatten().copied()).collect();
    let nodes = Array3::from_shape_vec((g, n, f), nodes).map_err(|e| io(&e))?;
    let accel = Array3::from_shape_vec((g, n, d), accel).map_err(|e| io(&e))?;
    let law = Array1::from_vec(data.law.name().as_bytes().to_vec());
    let file = std::fs::File::create(path).map_err(|e| io(&e))?;
    let mut npz = NpzWriter::new(file);
    npz.add_array("nodes", &nodes).map_err(|e| io(&e))?;
    npz.add_array("accel", &accel).map_err(|e| io(&e))?;
    npz.add_array("law", &law).map_err(|e| io(&e))?;
    npz.finish().map_err(|e| io(&e))?;
    Ok(())
}

/// Reads graphs written by [`save_graphs`].
pub fn load_graphs(path: &Path) -> Result<GraphData, Diagnostic> {
    let file = std::fs::File::open(path).map_err(|e| {
        Diagnostic::new(Code::FileNotFound, format!("cannot open {}: {e}", path.display()), 0..0)
            .with_label("reading this file")
            .with_help("check the path; relative paths start from the current directory")
    })?;
    let mut npz = NpzReader::new(file).map_err(|e| bad(path, e))?;
    let nodes: Array3<f64> = npz.by_name("nodes").map_err(|e| bad(path, format!("`nodes`: {e}")))?;
    let accel: Array3<f64> = npz.by_name("accel").map_err(|e| bad(path, format!("`accel`: {e}")))?;
    let law: Array1<u8> = npz.by_name("law").map_err(|e| bad(path, format!("`law`: {e}")))?;
    let name = String::from_utf8(law.to_vec()).map_err(|e| bad(path, e))?;
    let law = Law::from_name(&name).ok_or_else(|| bad(path, format!("unknown law `{name}`")))?;
    let (g, n, f) = nodes.dim();
    let (ga, na, d) = accel.dim();
    if ga != g || na != n || f != node_len(d) || n < 2 || !(2..=3).contains(&d) {
        return Err(bad(path, format!("nodes are {g}x{n}x{f} and accelerations {ga}x{na}x{d}")));
    }
    let graphs = (0..g)
        .map(|i| Graph {
            nodes: (0..n).map(|b| (0..f).map(|k| nodes[[i, b, k]]).collect()).collect(),
            accel: (0..n).map(|b| (0..d).map(|k| accel[[i, b, k]]).collect()).collect(),
        })
        .collect();
    Ok(GraphData { law, n, dim: d, graphs })
}
