// Every group of import shares, as minerals_kg.analysis.flows.import_groups builds them: one source's
// table of an importer's suppliers (importer, mineral, stage, form, period, edition, source, share
// basis), for the bases that describe the importer's own supply (imports, sourcing). Shares are the
// printed ones; without them, values (else quantities in one unit) of a complete table (a trade
// file's flows, or a table with its 'other countries' row). Adds importer, mineral, stage, form,
// year_from, year_to, edition, source, share_basis, uncertain (a row is 'uncertain'), total (the
// share attributed) and shares: a list of {exporter, share}.
CALL () {
  MATCH (i)-[r:IMPORTS_FROM]->(x)
  WHERE coalesce(r.share_basis, 'imports') IN ['imports', 'sourcing']
  WITH i.id AS importer, r.mineral AS mineral, r.stage AS stage, r.form AS form, r.year_from AS year_from,
       r.year_to AS year_to, r.edition AS edition, r.source AS source, coalesce(r.share_basis, 'imports') AS share_basis,
       collect({exporter: x.id, share: r.share, value: r.value_usd, quantity: r.quantity, unit: r.unit,
                basis: coalesce(r.basis, ''), confidence: r.confidence}) AS rows
  WITH *, any(r IN rows WHERE r.share IS NOT NULL) AS printed,
       (all(r IN rows WHERE r.basis STARTS WITH 'BACI reconciled' OR r.basis STARTS WITH 'Comtrade ')
        OR any(r IN rows WHERE r.exporter = 'other_countries')) AS complete,
       reduce(t = 0.0, r IN rows | t + coalesce(r.value, 0.0)) AS value_total,
       reduce(t = 0.0, r IN rows | t + coalesce(r.quantity, 0.0)) AS quantity_total
  WITH *, CASE
         WHEN printed THEN [r IN rows WHERE r.share IS NOT NULL | {exporter: r.exporter, share: toFloat(r.share)}]
         WHEN complete AND all(r IN rows WHERE r.value IS NOT NULL) AND value_total > 0
           THEN [r IN rows | {exporter: r.exporter, share: r.value / value_total}]
         WHEN complete AND all(r IN rows WHERE r.quantity IS NOT NULL) AND size(reduce(u = [], r IN rows | CASE WHEN r.unit IN u THEN u ELSE u + [r.unit] END)) = 1 AND quantity_total > 0
           THEN [r IN rows | {exporter: r.exporter, share: r.quantity / quantity_total}]
         ELSE [] END AS shares
  WHERE size(shares) > 0
  RETURN importer, mineral, stage, form, year_from, year_to, edition, source, share_basis,
         any(r IN rows WHERE r.confidence = 'uncertain') AS uncertain,
         reduce(t = 0.0, s IN shares | t + s.share) AS total, shares
}
