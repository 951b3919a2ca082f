// name: importer_suppliers
// description: An importer's direct suppliers of a mineral: the shares of the one group minerals_kg exposure chooses (not 'uncertain' first, then the latest period, the latest edition, the most complete). Twin of the suppliers of kg.exposure().
// param: importer: string = "USA" -- ISO-3 or organisation id of the importer (eu)
// param: mineral: mineral = "rare_earths" -- mineral id
// param: edition: string = null -- pin the edition of the group
// param: year: integer = null -- pin a group whose period covers this year
// returns: importer, mineral, stage, form, year_from, year_to, edition, source, share_basis, exporter, share
// @fragment import_groups (from _fragments/import_groups.cypher; edit it there)
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
// @end import_groups
WITH * WHERE importer = $importer AND mineral = $mineral AND ($edition IS NULL OR edition = $edition)
  AND ($year IS NULL OR (year_from <= $year AND $year <= year_to))
WITH * ORDER BY uncertain, year_to DESC, coalesce(edition, '') DESC, total DESC, source, coalesce(stage, ''),
                coalesce(form, '')
WITH collect({importer: importer, mineral: mineral, stage: stage, form: form, year_from: year_from, year_to: year_to,
              edition: edition, source: source, share_basis: share_basis, shares: shares})[0] AS g
WHERE g IS NOT NULL
UNWIND g.shares AS s
WITH g, s.exporter AS exporter, sum(s.share) AS share
RETURN g.importer AS importer, g.mineral AS mineral, g.stage AS stage, g.form AS form, g.year_from AS year_from,
       g.year_to AS year_to, g.edition AS edition, g.source AS source, g.share_basis AS share_basis, exporter, share
ORDER BY share DESC, exporter
