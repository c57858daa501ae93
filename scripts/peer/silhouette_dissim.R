#!/usr/bin/env Rscript
# Reference silhouette widths on given dissimilarities, made by R's cluster
# package (Debian r-cran-cluster): silhouette(labels, dist) for a Gower
# dissimilarity of a small mixed table (daisy(metric = "gower"), with a
# missing value), a Euclidean one with a singleton cluster, and one with
# duplicate rows (a = b = 0).
#
# Usage: Rscript scripts/peer/silhouette_dissim.R [OUT]
#   (default metrics/testdata/silhouette_dissim.json)
# Every case carries its dissimilarities (the lower triangle by columns, as
# R's dist stores it: d(2,1), d(3,1), ..., d(n,1), d(3,2), ...), the labels
# (1-based, as given to R) and R's widths in row order; numbers with 17
# significant digits. metrics/silhouette_dissim_test.go reads it.
suppressPackageStartupMessages(library(cluster))

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "metrics/testdata/silhouette_dissim.json"

num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")

widths <- function(labels, d) {
  s <- silhouette(as.integer(labels), d)
  w <- numeric(length(labels))
  w[as.integer(rownames(s))] <- s[, "sil_width"]
  if (is.null(rownames(s))) w <- s[, "sil_width"]
  w
}

case <- function(name, d, labels) {
  w <- widths(labels, d)
  sprintf('{"name":"%s","n":%d,"dist":%s,"labels":%s,"widths":%s,"mean":%.17g}',
          name, attr(d, "Size"), num(as.vector(d)), int(labels), num(w), mean(w))
}

set.seed(15)
n <- 40
g <- sample(1:3, n, replace = TRUE)
df <- data.frame(
  income = c(20, 45, 90)[g] + rnorm(n, sd = 8),
  plan = factor(c("basic", "standard", "premium")[ifelse(runif(n) < 0.8, g, sample(1:3, n, TRUE))]),
  age = round(30 + 10 * g + rnorm(n, sd = 6)),
  paperless = factor(sample(c("yes", "no"), n, replace = TRUE))
)
df$age[7] <- NA
dg <- daisy(df, metric = "gower")
fit <- pam(dg, 3)

x <- matrix(rnorm(60), ncol = 2)
x[30, ] <- c(8, 8)
de <- dist(x)
le <- ifelse(x[, 1] > 0, 1, 2)
le[30] <- 3

y <- rbind(matrix(rep(c(0, 0), 5), ncol = 2, byrow = TRUE), matrix(rep(c(1, 1), 4), ncol = 2, byrow = TRUE), c(0, 1))
dt <- dist(y)
lt <- c(rep(1, 5), rep(2, 4), 1)

cases <- c(case("gower_pam3", dg, fit$clustering), case("euclid_singleton", de, le), case("duplicates", dt, lt))
writeLines(sprintf('{"r_version":"%s","cluster_version":"%s","cases":[%s]}',
                   R.version.string, packageVersion("cluster"), paste(cases, collapse = ",")), out)
