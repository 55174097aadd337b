//! Migration between islands (PySR's `migrate!`): after each iteration, at a synchronised
//! point, each island replaces a Poisson-distributed number of random members (mean
//! `population_size * fraction`) with copies of other islands' best members and, separately,
//! of the hall of fame's Pareto front. Islands are visited in index order and each uses its own
//! generator, so migration is reproducible whatever the thread count.

use crate::evolve::Island;
use crate::member::PopMember;
use sdl_formula::rng::Rng;

/// A Poisson sample with mean `lambda` (Knuth's method; means here are small).
pub fn poisson(rng: &mut Rng, lambda: f64) -> usize {
    if lambda <= 0.0 {
        return 0;
    }
    let l = (-lambda).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.uniform();
        if p <= l || k > 10_000 {
            return k;
        }
        k += 1;
    }
}

/// Replaces about `fraction` of each island's members with random picks from `migrants`.
/// Migrants get a fresh birth stamp so they are not the next to be replaced.
pub(crate) fn migrate(islands: &mut [Island], migrants: &[PopMember], fraction: f64) {
    if migrants.is_empty() {
        return;
    }
    for isl in islands.iter_mut() {
        let size = isl.pop.members.len();
        let n = poisson(&mut isl.rng, size as f64 * fraction).min(size);
        for _ in 0..n {
            let at = isl.rng.below(size);
            let mut m = migrants[isl.rng.below(migrants.len())].clone();
            m.birth = isl.pop.birth();
            isl.pop.members[at] = m;
        }
    }
}

/// The `topn` lowest-cost members of every island, island by island.
pub(crate) fn island_bests(islands: &[Island], topn: usize) -> Vec<PopMember> {
    let mut out = Vec::new();
    for isl in islands {
        for i in isl.pop.best_indices(topn) {
            if isl.pop.members[i].loss.is_finite() {
                out.push(isl.pop.members[i].clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = Rng::new(4);
        let n = 20000;
        let total: usize = (0..n).map(|_| poisson(&mut rng, 1.7)).sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 1.7).abs() < 0.05, "{mean}");
        assert_eq!(poisson(&mut rng, 0.0), 0);
    }
}
