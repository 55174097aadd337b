//! Exact linear equations over unknown dimensions, for free constants and unknown variables.
//!
//! In: rows `sum_k a_k X_k = r`, where each unknown `X_k` is a dimension written as its raw
//! exponents (exponent times 60, see [`crate::DEN`]), the `a_k` are integers and `r` is a vector
//! of seven integers, one per base dimension (the seven right-hand sides share the coefficients,
//! since dimension arithmetic acts on all exponents alike). Out: whether the rows are consistent,
//! and after [`System::reduce`] which unknowns they determine and to what.
//! Always true: rows are kept in echelon form as they come (each new row is reduced against the
//! earlier ones, so an inconsistency is found at the row that causes it); all arithmetic is exact
//! (i64 with i128 intermediates, each row divided by the gcd of its entries), and a value that
//! would not fit is reported as [`LinFail::Overflow`], never wrapped. Buffers are reused between
//! formulas, so no allocation happens once they have grown.

/// Why a row could not be added.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum LinFail {
    /// The row contradicts the earlier ones.
    Inconsistent,
    /// A coefficient outgrew i64.
    Overflow,
}

/// A system of rows over `n` unknowns; each row holds `n` coefficients then 7 right-hand sides.
#[derive(Clone, Debug, Default)]
pub(crate) struct System {
    n: usize,
    rows: Vec<i64>,
    pivots: Vec<usize>,
    tmp: Vec<i64>,
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i64
}

/// Divides `row` by the gcd of its entries and makes its first nonzero coefficient positive.
fn normalise(row: &mut [i64], n: usize) {
    let g = row.iter().fold(0, |g, &x| gcd(g, x));
    let sign = if row[..n].iter().find(|&&x| x != 0).is_some_and(|&x| x < 0) { -1 } else { 1 };
    if g > 1 || sign < 0 {
        let g = g.max(1) * sign;
        for x in row.iter_mut() {
            *x /= g;
        }
    }
}

/// `target = target * p - row * t` with `p = row[col]`, `t = target[col]` (made coprime first),
/// which clears `target[col]`.
fn eliminate(target: &mut [i64], row: &[i64], col: usize) -> Result<(), LinFail> {
    let t = target[col];
    if t == 0 {
        return Ok(());
    }
    let p = row[col];
    let g = gcd(p, t);
    let (p, t) = ((p / g) as i128, (t / g) as i128);
    for (x, &r) in target.iter_mut().zip(row) {
        let v = *x as i128 * p - r as i128 * t;
        *x = i64::try_from(v).map_err(|_| LinFail::Overflow)?;
    }
    Ok(())
}

impl System {
    /// Forgets every row and sets the number of unknowns.
    pub fn reset(&mut self, n: usize) {
        self.n = n;
        self.rows.clear();
        self.pivots.clear();
    }

    /// Copies `other` into `self`, reusing `self`'s buffers.
    pub fn copy_from(&mut self, other: &System) {
        self.n = other.n;
        self.rows.clone_from(&other.rows);
        self.pivots.clone_from(&other.pivots);
    }

    /// A zeroed row to fill in (coefficients, then 7 right-hand sides) before [`System::insert`].
    pub fn new_row(&mut self) -> &mut [i64] {
        self.tmp.clear();
        self.tmp.resize(self.n + 7, 0);
        &mut self.tmp
    }

    /// Adds the row filled in through [`System::new_row`]. A row that follows from the others
    /// is dropped; one that contradicts them is refused.
    pub fn insert(&mut self) -> Result<(), LinFail> {
        let w = self.n + 7;
        normalise(&mut self.tmp, self.n);
        for (i, &pc) in self.pivots.iter().enumerate() {
            eliminate(&mut self.tmp, &self.rows[i * w..(i + 1) * w], pc)?;
            normalise(&mut self.tmp, self.n);
        }
        match self.tmp[..self.n].iter().position(|&x| x != 0) {
            Some(pc) => {
                self.rows.extend_from_slice(&self.tmp);
                self.pivots.push(pc);
                Ok(())
            }
            None if self.tmp[self.n..].iter().all(|&x| x == 0) => Ok(()),
            None => Err(LinFail::Inconsistent),
        }
    }

    /// Adds the row `X_col = 0`.
    pub fn insert_zero(&mut self, col: usize) -> Result<(), LinFail> {
        self.new_row()[col] = 1;
        self.insert()
    }

    /// Brings the rows to reduced echelon form (each pivot column zero in every other row), after
    /// which [`System::determined`] answers. Adding rows afterwards is still allowed.
    pub fn reduce(&mut self) -> Result<(), LinFail> {
        let w = self.n + 7;
        let k = self.pivots.len();
        for i in 0..k {
            let pc = self.pivots[i];
            for j in 0..k {
                if j == i || self.rows[j * w + pc] == 0 {
                    continue;
                }
                // Split borrow: copy row i into the scratch row first.
                self.tmp.clear();
                self.tmp.extend_from_slice(&self.rows[i * w..(i + 1) * w]);
                eliminate(&mut self.rows[j * w..(j + 1) * w], &self.tmp, pc)?;
                normalise(&mut self.rows[j * w..(j + 1) * w], self.n);
            }
        }
        Ok(())
    }

    /// After [`System::reduce`]: the raw exponents of unknown `col` when the rows fix it
    /// (`Some(Ok(raw))`), `Some(Err(()))` when they fix it off the 1/60 grid or out of range,
    /// `None` when it is free.
    #[allow(clippy::result_unit_err)]
    pub fn determined(&self, col: usize) -> Option<Result<[i16; 7], ()>> {
        let w = self.n + 7;
        let i = self.pivots.iter().position(|&pc| pc == col)?;
        let row = &self.rows[i * w..(i + 1) * w];
        if row[..self.n].iter().enumerate().any(|(j, &x)| j != col && x != 0) {
            return None;
        }
        let p = row[col];
        let mut raw = [0i16; 7];
        for (r, &rhs) in raw.iter_mut().zip(&row[self.n..]) {
            if rhs % p != 0 {
                return Some(Err(()));
            }
            *r = match i16::try_from(rhs / p) {
                Ok(v) => v,
                Err(_) => return Some(Err(())),
            };
        }
        Some(Ok(raw))
    }

    /// After [`System::reduce`]: true when every unknown the rows fix lies on the grid.
    pub fn representable(&self) -> bool {
        self.pivots.iter().all(|&pc| !matches!(self.determined(pc), Some(Err(()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(s: &mut System, coefs: &[i64], rhs0: i64) -> Result<(), LinFail> {
        let r = s.new_row();
        r[..coefs.len()].copy_from_slice(coefs);
        r[coefs.len()] = rhs0;
        s.insert()
    }

    #[test]
    fn solves_and_detects_contradictions() {
        let mut s = System::default();
        s.reset(2);
        row(&mut s, &[1, 1], 60).unwrap();
        s.reduce().unwrap();
        assert_eq!(s.determined(0), None);
        row(&mut s, &[1, -1], 0).unwrap();
        s.reduce().unwrap();
        assert_eq!(s.determined(0), Some(Ok([30, 0, 0, 0, 0, 0, 0])));
        assert_eq!(s.determined(1), Some(Ok([30, 0, 0, 0, 0, 0, 0])));
        assert_eq!(row(&mut s, &[2, 2], 60), Err(LinFail::Inconsistent));
        assert_eq!(row(&mut s, &[2, 2], 120), Ok(()));
        let mut t = System::default();
        t.reset(1);
        row(&mut t, &[7], 60).unwrap();
        t.reduce().unwrap();
        assert_eq!(t.determined(0), Some(Err(())));
        assert!(!t.representable());
    }
}
