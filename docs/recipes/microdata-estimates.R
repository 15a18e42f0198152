# The published city and ward estimates, reproduced from microdata.csv with R's survey package
# (Lumley), using only the file's design columns:
#
#   Rscript docs/recipes/microdata-estimates.R export/microdata.csv > estimates.csv
#
# Writes one row per (group, variable): the city ("all") and every ward/commune code, for every
# indicator (ind_*), score (score_*) and maturity level (level_*, the share at each level), with
# the estimate and its standard error, as
# aggregates.csv publishes them (published rows only; the threshold rule still applies to
# anything you derive from the file). For a wave weighted to a frame.
library(survey)
args <- commandArgs(trailingOnly = TRUE)
# An empty number or code says why it is empty (docs/microdata.md): all missing to R.
missing_codes <- c("skipped", "na", "dk", "coarsened", "suppressed")
d <- read.csv(args[1], colClasses = c(respondent = "character", organisation = "character",
                                      area_code = "character"),
              na.strings = missing_codes)
# The shares by maturity level, among respondents with an overall score.
for (l in setdiff(unique(d$level), NA)) {
  d[[paste0("level_", l)]] <- ifelse(is.na(d$level), NA, as.numeric(d$level == l))
}
design <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~stratum_population,
                    data = d)
# Rows whose ward is blank belong to wards too small to publish; they stay in the design.
wards <- subset(design, area_code != "")
estimates <- function(variables, na.rm) {
  f <- as.formula(paste("~", paste(variables, collapse = " + ")))
  city <- svymean(f, design, na.rm = na.rm)
  by_ward <- svyby(f, ~area_code, wards, svymean, na.rm = na.rm)
  rbind(data.frame(group = "all", variable = variables, estimate = as.numeric(coef(city)),
                   se = as.numeric(SE(city))),
        data.frame(group = rep(by_ward$area_code, times = length(variables)),
                   variable = rep(variables, each = nrow(by_ward)),
                   estimate = as.numeric(as.matrix(by_ward[, variables])),
                   se = as.numeric(as.matrix(SE(by_ward)))))
}
# Indicators are never missing: all at once. A score or level is missing where a respondent
# answered none of its questions, so each has its own domain.
rows <- list(estimates(grep("^ind_", names(d), value = TRUE), FALSE))
for (v in grep("^(score|level)_", names(d), value = TRUE)) {
  rows[[length(rows) + 1]] <- estimates(v, TRUE)
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE, quote = FALSE)
