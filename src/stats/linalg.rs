//! The little dense linear algebra calibration needs: a symmetric positive definite matrix,
//! its Cholesky factor, and solving with it. A calibration has a few hundred constraints at
//! most (126 wards and 84 section × size classes), so a plain row-major factor is enough.

/// A symmetric matrix, row-major, `n × n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Symmetric {
    n: usize,
    values: Vec<f64>,
}

impl Symmetric {
    pub fn zeros(n: usize) -> Self {
        Symmetric { n, values: vec![0.0; n * n] }
    }

    pub fn size(&self) -> usize {
        self.n
    }

    /// Adds `weight · x xᵀ` for a 0/1 vector `x` given by its ones.
    pub fn add_outer(&mut self, ones: &[usize], weight: f64) {
        for &i in ones {
            for &j in ones {
                self.values[i * self.n + j] += weight;
            }
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.n + j]
    }

    /// The Cholesky factor L (L Lᵀ = self); `None` when the matrix is not positive definite,
    /// a pivot falling below `1e-12` of the largest diagonal entry.
    pub fn cholesky(&self) -> Option<Cholesky> {
        let n = self.n;
        let scale = (0..n).map(|i| self.get(i, i).abs()).fold(0.0, f64::max);
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let mut pivot = self.get(j, j);
            for k in 0..j {
                pivot -= l[j * n + k] * l[j * n + k];
            }
            // Also refuses a NaN pivot.
            if pivot.partial_cmp(&(1e-12 * scale)) != Some(std::cmp::Ordering::Greater) {
                return None;
            }
            let root = pivot.sqrt();
            l[j * n + j] = root;
            for i in j + 1..n {
                let mut sum = self.get(i, j);
                for k in 0..j {
                    sum -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = sum / root;
            }
        }
        Some(Cholesky { n, l })
    }
}

/// The lower triangular factor of a symmetric positive definite matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

impl Cholesky {
    /// The inverse of the factored matrix, row-major.
    pub fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut inverse = vec![0.0; n * n];
        let mut column = vec![0.0; n];
        for j in 0..n {
            column.iter_mut().for_each(|x| *x = 0.0);
            column[j] = 1.0;
            self.solve(&mut column);
            for i in 0..n {
                inverse[i * n + j] = column[i];
            }
        }
        inverse
    }

    /// Solves A x = b in place.
    pub fn solve(&self, b: &mut [f64]) {
        let (n, l) = (self.n, &self.l);
        for i in 0..n {
            let row = &l[i * n..i * n + i];
            let sum: f64 = row.iter().zip(&b[..i]).map(|(a, x)| a * x).sum();
            b[i] = (b[i] - sum) / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut sum = b[i];
            for k in i + 1..n {
                sum -= l[k * n + i] * b[k];
            }
            b[i] = sum / l[i * n + i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_and_refuses_a_singular_one() {
        // [[4, 2], [2, 3]] x = [2, 1]: x = [0.5, 0].
        let mut a = Symmetric::zeros(2);
        a.add_outer(&[0, 1], 2.0);
        a.add_outer(&[0], 2.0);
        a.add_outer(&[1], 1.0);
        assert_eq!((a.get(0, 0), a.get(0, 1), a.get(1, 1)), (4.0, 2.0, 3.0));
        let mut b = vec![2.0, 1.0];
        a.cholesky().unwrap().solve(&mut b);
        assert!((b[0] - 0.5).abs() < 1e-15 && b[1].abs() < 1e-15, "{b:?}");
        let mut singular = Symmetric::zeros(2);
        singular.add_outer(&[0, 1], 1.0);
        assert!(singular.cholesky().is_none());
    }
}
