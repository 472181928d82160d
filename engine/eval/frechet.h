/* frechet.h: the Fréchet distance between Gaussians fitted to feature sets,
 * the distance FID uses, here over the classifier's features (classifier.h).
 *
 *   d^2 = |mu1 - mu2|^2 + Tr(C1) + Tr(C2) - 2 Tr(sqrt(C1 C2))
 *
 * Tr(sqrt(C1 C2)) is the sum of the square roots of the eigenvalues of the
 * symmetric sqrt(C1) C2 sqrt(C1), which has the same spectrum, so all the
 * linear algebra is one symmetric eigensolver (cyclic Jacobi, in double). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* feats (n, d) -> mean (d) and covariance (d, d), both in double; the
 * covariance divides by n - 1 as numpy.cov does (an all-zero one when
 * n = 1). */
void   sw_feature_stats (const float *feats, int n, int d, double *mean, double *cov);

/* The squared Fréchet distance (FID's number) between N(mu1, cov1) and
 * N(mu2, cov2); covariances symmetric (d, d).  Costs a few d^3: about a
 * second for d = 256. */
double sw_frechet_distance (const double *mu1, const double *cov1,
                            const double *mu2, const double *cov2, int d);

/* Eigen-decomposition of the symmetric a (d, d), which is overwritten:
 * eigvals (d), and eigvecs (d, d) when not NULL, row i the unit eigenvector
 * of eigvals[i], so a = eigvecs^T diag(eigvals) eigvecs.  Sweeps until the
 * off-diagonal part is below 1e-12 of the whole (Frobenius norms); returns
 * the number of sweeps. */
int    sw_sym_eigen (int d, double *a, double *eigvals, double *eigvecs);

G_END_DECLS
