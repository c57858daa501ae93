#!/usr/bin/env Rscript
# Reference vectors for persona's mixed-type clustering, made by R's cluster
# package (Debian r-cran-cluster): Gower dissimilarities from daisy(metric =
# "gower") and k-medoids results from pam() (the original BUILD + SWAP, and
# the "faster" variant, FasterPAM, from given medoids).
#
# Usage: Rscript scripts/peer/cluster_mixed.R [OUTDIR [CLIDIR]]
#   (defaults cluster/testdata and internal/cli/testdata)
# Writes gower_parity.json and pam_parity.json into OUTDIR, and a customer
# CSV with text columns and R's results on it (customers_mixed.csv,
# customers_mixed_r.json) into CLIDIR for the command-line tests
# (internal/cli/kmedoids_test.go). Every data set is generated
# here from a fixed seed and written out with the results, so the Go tests
# (cluster/gower_parity_test.go, cluster/kmedoids_parity_test.go) rebuild
# the same input; numbers are written with 17 significant digits. Row
# numbers (medoids) are written 0-based.
suppressPackageStartupMessages(library(cluster))

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else "cluster/testdata"
clidir <- if (length(args) >= 2) args[2] else "internal/cli/testdata"

# --- a small JSON writer that keeps every bit of a double ------------------
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
js <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      kv <- mapply(function(k, v) paste0('"', k, '":', js(v)), names(x), x)
      return(paste0("{", paste(kv, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, js, ""), collapse = ","), "]"))
  }
  scalar <- length(x) == 1 && !inherits(x, "AsIs")
  v <- if (is.character(x)) paste0('"', x, '"')
       else if (is.logical(x)) ifelse(is.na(x), "null", ifelse(x, "true", "false"))
       else if (is.integer(x)) ifelse(is.na(x), "null", as.character(x))
       else num(x)
  if (scalar) v else paste0("[", paste(v, collapse = ","), "]")
}

# attrs describes the columns of df in persona's terms (cluster.Attr):
# numbers as values, factors and binaries as 0-based codes (-1 for NA).
attrs <- function(df, types) {
  lapply(names(df), function(nm) {
    x <- df[[nm]]
    t <- types[[nm]]
    if (t %in% c("numeric", "ordratio", "logratio")) {
      list(name = nm, type = t, values = I(as.double(x)))
    } else {
      code <- if (is.factor(x)) as.integer(x) - 1L else as.integer(x)
      code[is.na(code)] <- -1L
      a <- list(name = nm, type = t, codes = I(code))
      if (is.factor(x)) a$levels <- I(levels(x))
      a
    }
  })
}

# daisy's type argument for the columns persona types as ordratio, logratio,
# symmetric and asymmetric (factors, ordered factors and logicals are typed
# by their class, as in R).
daisy_type <- function(types) {
  tl <- list()
  for (k in c("ordratio", "logratio")) {
    v <- names(types)[types == k]
    if (length(v)) tl[[k]] <- v
  }
  s <- names(types)[types == "symmetric"]
  if (length(s)) tl$symm <- s
  a <- names(types)[types == "asymmetric"]
  # logical columns are asymmetric in daisy without being named.
  if (length(a)) tl$asymm <- a
  tl
}

gower_case <- function(name, df, types, weights = NULL, note = "") {
  tl <- daisy_type(types)
  # daisy rejects a logical column named in type$asymm; those are asymmetric
  # by class.
  if (!is.null(tl$asymm)) {
    tl$asymm <- tl$asymm[!vapply(df[tl$asymm], is.logical, NA)]
    if (!length(tl$asymm)) tl$asymm <- NULL
  }
  w <- if (is.null(weights)) rep(1, ncol(df)) else weights
  d <- suppressWarnings(daisy(df, metric = "gower", type = tl, weights = w))
  list(name = name, note = note, n = nrow(df), attrs = attrs(df, types),
       weights = if (is.null(weights)) NULL else I(weights),
       daisy_types = I(attr(d, "Types")), daisy = I(as.vector(d)))
}

# mixed_data draws n rows from g planted groups: numeric, nominal, ordinal
# (with an unused level in the middle), binary, logical, ordratio and
# logratio columns, with a share na of missing values in each.
mixed_data <- function(n, g, na) {
  grp <- sample.int(g, n, replace = TRUE)
  cats <- c("north", "south", "east", "west", "centre")
  df <- data.frame(
    income = round(rnorm(n, 30000 + 15000 * grp, 6000), 2),
    age = sample(18:80, n, replace = TRUE) %/% 1 + 5L * grp,
    region = factor(cats[(grp + sample.int(2, n, replace = TRUE)) %% 5 + 1], levels = cats),
    plan = factor(c("basic", "plus", "premium")[pmin(3, pmax(1, grp - 1 + sample(-1:1, n, TRUE)))],
                  levels = c("basic", "unused", "plus", "premium"), ordered = TRUE),
    newsletter = as.integer(runif(n) < 0.2 * grp),
    app = as.integer(runif(n) < 0.15 * grp),
    churned = runif(n) < 0.3,
    visits = rpois(n, 2 * grp),
    spend = round(rlnorm(n, grp, 1), 2)
  )
  types <- list(income = "numeric", age = "numeric", region = "nominal", plan = "ordinal",
                newsletter = "symmetric", app = "asymmetric", churned = "asymmetric",
                visits = "ordratio", spend = "logratio")
  for (nm in names(df)) {
    miss <- runif(n) < na
    df[[nm]][miss] <- NA
  }
  list(df = df, types = types, group = grp)
}

# ---------------------------------------------------------------- Gower ----
set.seed(20261206)
cases <- list()

m <- mixed_data(40, 3, 0.08)
cases[[length(cases) + 1]] <- gower_case("mixed_all_types", m$df, m$types,
  note = "every daisy type, 8% missing values in every column")
cases[[length(cases) + 1]] <- gower_case("mixed_weighted", m$df, m$types,
  weights = c(2, 0.5, 1, 3, 0.25, 1, 0, 1.5, 0.75),
  note = "the same data with weights, one of them 0")

m <- mixed_data(30, 2, 0)
cases[[length(cases) + 1]] <- gower_case("mixed_complete", m$df, m$types, note = "no missing value")

# Numeric only, with a constant column, ties and missing values.
df <- data.frame(a = c(1, 2, 2, NA, 5, 5, 5, -3, 0.5, 2),
                 b = rep(7, 10),
                 c = c(3L, NA, 3L, 1L, 1L, 0L, 9L, 9L, NA, 4L),
                 d = c(0.1, 0.2, 0.30000000000000004, 0.1, NA, NA, 1e-9, 1e9, 3, 3))
cases[[length(cases) + 1]] <- gower_case("numeric_na_constant", df,
  list(a = "numeric", b = "numeric", c = "numeric", d = "numeric"),
  note = "a constant column scales by 1; ties; missing values")

# Binary columns: an all-1 asymmetric column (scaled to all 0 by daisy),
# all-0 columns, and missing values.
df <- data.frame(s1 = c(0L, 1L, 1L, 0L, NA, 1L, 0L, 0L),
                 s2 = c(1L, 1L, 1L, 1L, 1L, 1L, NA, 1L),
                 a1 = c(0L, 0L, 1L, 1L, 0L, NA, 0L, 1L),
                 a2 = c(1L, 1L, NA, 1L, 1L, 1L, 1L, 1L),
                 a3 = c(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L),
                 n1 = factor(c("x", "y", "x", NA, "z", "z", "y", "x")))
cases[[length(cases) + 1]] <- gower_case("binary_quirks", df,
  list(s1 = "symmetric", s2 = "symmetric", a1 = "asymmetric", a2 = "asymmetric",
       a3 = "asymmetric", n1 = "nominal"),
  note = "all-1 binary columns scale to 0; pairs of zeros leave asymmetric columns out")

# Rows that share no attribute: NA dissimilarities.
df <- data.frame(x = c(1, NA, 3, NA), f = factor(c(NA, "u", "v", NA)), b = c(0L, 0L, 1L, NA))
cases[[length(cases) + 1]] <- gower_case("no_common_attribute", df,
  list(x = "numeric", f = "nominal", b = "asymmetric"),
  note = "rows 0 and 1, and rows with nothing in common, get NA")

# Indicator columns as asymmetric binaries: the Jaccard distance of the sets
# of items, which persona's list type computes from the sets.
items <- matrix(0L, 25, 6)
for (i in 1:25) items[i, sample.int(6, sample.int(4, 1))] <- 1L
df <- as.data.frame(items)
names(df) <- paste0("item", 1:6)
cases[[length(cases) + 1]] <- gower_case("indicators_as_jaccard", df,
  setNames(as.list(rep("asymmetric", 6)), names(df)),
  note = "daisy on item indicators = the Jaccard distance of the item sets")

# Ordinal with unused levels at both ends and between, and ordratio ties.
df <- data.frame(o = factor(c("b", "d", "d", "b", "f", NA, "d"), levels = letters[1:7], ordered = TRUE),
                 r = c(10, 10, 20, 30, 30, 30, NA),
                 l = c(1, 10, 100, 1000, 0.5, 0.5, 3))
cases[[length(cases) + 1]] <- gower_case("ordinal_levels", df,
  list(o = "ordinal", r = "ordratio", l = "logratio"),
  note = "ordinal positions keep unused levels; ordratio ranks distinct values; logratio is log10")

# Coarse values (many equal dissimilarities), for the linkage parity of
# scripts/peer/linkage_gower.py too.
m <- mixed_data(100, 3, 0.02)
m$df$income <- round(m$df$income, -4)
m$df$age <- m$df$age %/% 10
m$df$spend <- round(m$df$spend)
m$df$spend[!is.na(m$df$spend) & m$df$spend < 1] <- 1
cases[[length(cases) + 1]] <- gower_case("coarse_ties_n100", m$df, m$types,
  note = "coarse values: many equal dissimilarities")

# log10 as R computes it (logratio), on values across the range.
lx <- c(exp(runif(1500, -40, 40)), runif(500, 0.5, 2), 10^(-8:8), 2^(-10:10), 1:50)
writeLines(js(list(r_version = R.version.string, cluster_version = as.character(packageVersion("cluster")),
                   cases = cases, log10 = list(x = I(lx), log10 = I(log10(lx))))),
           file.path(outdir, "gower_parity.json"))

# ------------------------------------------------------------------ PAM ----
# pam_case runs pam() on d for each k: BUILD + SWAP, then both variants from
# given medoids (drawn by sample.int).
pam_case <- function(name, input, d, ks, note) {
  fits <- lapply(ks, function(k) {
    p <- pam(d, k)
    init <- sort(sample.int(attr(d, "Size"), k))
    g <- pam(d, k, medoids = init)
    f <- pam(d, k, medoids = init, variant = "faster")
    res <- function(r) list(medoids = I(as.integer(r$medoids) - 1L),
                            clustering = I(as.integer(r$clustering) - 1L),
                            objective_build = unname(r$objective["build"]),
                            objective_swap = unname(r$objective["swap"]))
    list(k = k, pam = res(p), init = I(init - 1L), pam_given = res(g), faster_given = res(f))
  })
  c(list(name = name, note = note, n = attr(d, "Size")), input, list(fits = fits))
}

set.seed(15)
pcases <- list()

m <- mixed_data(300, 4, 0.05)
d <- suppressWarnings(daisy(m$df, metric = "gower", type = daisy_type(m$types)))
pcases[[length(pcases) + 1]] <- pam_case("gower_mixed_n300",
  list(attrs = attrs(m$df, m$types)), d, c(1, 2, 3, 4, 6, 9),
  "Gower on four planted mixed groups, 5% missing")

m <- mixed_data(120, 2, 0)
m$df$income <- round(m$df$income, -4) # coarse: many exact ties
m$df$age <- m$df$age %/% 10
d <- suppressWarnings(daisy(m$df, metric = "gower", type = daisy_type(m$types)))
pcases[[length(pcases) + 1]] <- pam_case("gower_coarse_ties_n120",
  list(attrs = attrs(m$df, m$types)), d, c(2, 3, 5, 8),
  "Gower on coarse values: many equal dissimilarities")

grid <- as.matrix(expand.grid(x = 0:14, y = 0:9))
grid <- rbind(grid, grid[c(1, 17, 33, 150), ]) # duplicates
pcases[[length(pcases) + 1]] <- pam_case("euclid_grid_ties_n154",
  list(x = I(lapply(seq_len(nrow(grid)), function(i) I(as.double(grid[i, ]))))),
  dist(grid), c(2, 4, 7, 12), "Euclidean on an integer grid with duplicate points: ties everywhere")

iris4 <- as.matrix(iris[, 1:4])
pcases[[length(pcases) + 1]] <- pam_case("euclid_iris",
  list(x = I(lapply(seq_len(nrow(iris4)), function(i) I(unname(iris4[i, ]))))),
  dist(iris4), c(2, 3, 5), "Euclidean on iris (R's dist: sequential sums)")

writeLines(js(list(r_version = R.version.string, cluster_version = as.character(packageVersion("cluster")),
                   cases = pcases)),
           file.path(outdir, "pam_parity.json"))
# ------------------------------------------------- command-line fixture ----
# A customer table as a user would have it: an id, text categories, an
# ordered plan, yes/no flags, TRUE/FALSE, numbers, and NA. R reads it back
# with read.csv (TRUE/FALSE becomes a logical, which daisy treats as
# asymmetric) and is told the types the test passes with --type.
set.seed(77)
m <- mixed_data(150, 3, 0.04)
df <- data.frame(id = sprintf("C%04d", 1:150), m$df, stringsAsFactors = FALSE)
df$newsletter <- ifelse(df$newsletter == 1, "yes", "no")
df$app <- ifelse(df$app == 1, "y", "n")
dir.create(clidir, showWarnings = FALSE, recursive = TRUE)
csv <- file.path(clidir, "customers_mixed.csv")
write.csv(df, csv, row.names = FALSE, na = "")
x <- read.csv(csv, stringsAsFactors = TRUE, na.strings = c("", "NA"))
x$id <- NULL
x$plan <- factor(as.character(x$plan), levels = c("basic", "unused", "plus", "premium"), ordered = TRUE)
x$newsletter <- as.integer(x$newsletter == "yes")
x$app <- as.integer(x$app == "y")
tl <- list(symm = "newsletter", asymm = "app", ordratio = "visits", logratio = "spend")
d <- suppressWarnings(daisy(x, metric = "gower", type = tl))
fits <- lapply(c(2, 4, 6), function(k) {
  p <- pam(d, k)
  list(k = k, medoids = I(as.integer(p$medoids) - 1L), clustering = I(as.integer(p$clustering) - 1L),
       objective_build = unname(p$objective["build"]), objective_swap = unname(p$objective["swap"]))
})
flags <- c("--type", "id=skip", "--type", "plan=ordinal:basic<unused<plus<premium",
           "--type", "newsletter=symmetric", "--type", "app=asymmetric",
           "--type", "churned=asymmetric", "--type", "visits=ordratio", "--type", "spend=logratio")
writeLines(js(list(r_version = R.version.string, cluster_version = as.character(packageVersion("cluster")),
                   flags = I(flags), daisy = I(as.vector(d)), fits = fits)),
           file.path(clidir, "customers_mixed_r.json"))

cat("wrote", file.path(outdir, "gower_parity.json"), file.path(outdir, "pam_parity.json"),
    csv, "and", file.path(clidir, "customers_mixed_r.json"), "\n")
