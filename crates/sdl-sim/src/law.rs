//! The force laws of the paper's section 4.1 and their per-law defaults. In: a law name such as
//! `"r2"`; out: a [`Law`] with its canonical name and the time step the paper used. Always
//! true: `Law::from_name(law.name()) == Some(law)` for every law in [`Law::all`].

/// One of the simulated interaction laws. The pair potentials (with `r' = r + 0.01`) are:
///
/// | law | pair potential `U(r')` | notes |
/// |---|---|---|
/// | `r1` | `m1 m2 ln r'` | |
/// | `r2` | `-m1 m2 / r'` | gravity |
/// | `spring` | `(r' - 1)^2` | |
/// | `damped` | `(r' - 1)^2` | plus node damping force `-v / n` |
/// | `charge` | `q1 q2 / r'` | |
/// | `discontinuous` | `0` for `r' < 2`, `(r' - 1)^2` for `r' >= 2` | |
/// | `superposition` | `q1 q2 / r' - m1 m2 / r'` | |
/// | `string` | `(r' - 1)^2` between chain neighbours `i, i+1` only | plus external `m y` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    /// `U = m1 m2 ln r'`: force `~ 1/r`.
    R1,
    /// `U = -m1 m2 / r'`: Newtonian gravity, force `~ 1/r^2`.
    R2,
    /// `U = (r' - 1)^2` between every pair.
    Spring,
    /// Springs plus a damping force `-v_i / n` on each body.
    Damped,
    /// `U = q1 q2 / r'`: electrostatics with charges ±1.
    Charge,
    /// `U = 0` inside `r' < 2`, `(r' - 1)^2` outside.
    Discontinuous,
    /// Charge plus gravity: `U = q1 q2 / r' - m1 m2 / r'`.
    Superposition,
    /// A chain of springs between neighbours `i, i + 1` hanging in a uniform field `U = m y`.
    String,
}

const ALL: [Law; 8] =
    [Law::R1, Law::R2, Law::Spring, Law::Damped, Law::Charge, Law::Discontinuous, Law::Superposition, Law::String];

impl Law {
    /// Parses a law name (case-insensitive; `"r^2"`/`"r^1"` and `"springs"` are accepted too).
    pub fn from_name(name: &str) -> Option<Law> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "r1" | "r^1" => Law::R1,
            "r2" | "r^2" | "gravity" => Law::R2,
            "spring" | "springs" => Law::Spring,
            "damped" => Law::Damped,
            "charge" => Law::Charge,
            "discontinuous" => Law::Discontinuous,
            "superposition" => Law::Superposition,
            "string" => Law::String,
            _ => return None,
        })
    }

    /// The canonical (paper) name: `r1`, `r2`, `spring`, `damped`, `charge`, `discontinuous`,
    /// `superposition`, `string`.
    pub fn name(self) -> &'static str {
        match self {
            Law::R1 => "r1",
            Law::R2 => "r2",
            Law::Spring => "spring",
            Law::Damped => "damped",
            Law::Charge => "charge",
            Law::Discontinuous => "discontinuous",
            Law::Superposition => "superposition",
            Law::String => "string",
        }
    }

    /// The output time step the paper used for this law (the integrator may take smaller
    /// internal steps).
    pub fn dt(self) -> f64 {
        match self {
            Law::R1 => 5e-3,
            Law::R2 => 1e-3,
            Law::Spring => 1e-2,
            Law::Damped => 2e-2,
            Law::Charge => 1e-3,
            Law::Discontinuous => 1e-2,
            Law::Superposition => 1e-3,
            Law::String => 1e-2,
        }
    }

    /// Every law, in the order of the paper's tables.
    pub fn all() -> &'static [Law] {
        &ALL
    }

    /// Whether total energy (kinetic plus [`crate::energy`]'s potential) is conserved by the
    /// exact dynamics. False for `damped` (friction) and `discontinuous` (the potential jumps
    /// by 1 at `r' = 2` while the force there is finite, so crossing the step changes the
    /// energy).
    pub fn conservative(self) -> bool {
        !matches!(self, Law::Damped | Law::Discontinuous)
    }

    /// Whether the interaction graph is the chain `i <-> i + 1` rather than the complete
    /// directed graph.
    pub fn chain(self) -> bool {
        matches!(self, Law::String)
    }
}

impl std::fmt::Display for Law {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &law in Law::all() {
            assert_eq!(Law::from_name(law.name()), Some(law));
            assert_eq!(Law::from_name(&law.name().to_uppercase()), Some(law));
            assert!(law.dt() > 0.0);
        }
        assert_eq!(Law::from_name("r3"), None);
        assert_eq!(Law::from_name(""), None);
    }
}
