// Shares of one group, as minerals_kg.analysis.concentration computes them: every fact carries its share
// of the world total its source prints (stated by the source, or quantity / world_total), computed once
// when the graph was built. Needs rows (see latest_groups); adds shares: a list of {country, share} for
// the countries of the group (aggregates are not suppliers).
WITH *, [r IN rows WHERE r.is_country | {country: r.country, share: toFloat(r.share)}] AS shares
