// Shares of one group, as minerals_kg.analysis.concentration computes them: country output over the
// world total the source prints (the sum of the rows when it prints none); a share-only group
// (e.g. an IEA table) keeps its stated shares. Needs rows (see latest_groups); adds shares: a list of
// {country, share} for the countries of the group (aggregates are not suppliers).
WITH *, any(r IN rows WHERE r.share IS NOT NULL) AS share_based,
     head([r IN rows WHERE r.country = 'world' | r.quantity]) AS world_total,
     reduce(t = 0.0, r IN [x IN rows WHERE x.country <> 'world'] | t + coalesce(r.quantity, 0.0)) AS parts_total
WITH *, CASE WHEN share_based THEN null ELSE toFloat(coalesce(world_total, parts_total)) END AS denominator
WITH *, [r IN rows WHERE r.is_country | {country: r.country,
         share: CASE WHEN denominator IS NULL THEN toFloat(r.share) WHEN denominator = 0 THEN 0.0
                     ELSE r.quantity / denominator END}] AS shares
