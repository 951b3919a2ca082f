// name: ultimate_origin
// description: Where an importer's supply of a mineral ultimately comes from: its group's shares followed upstream through each supplier's own group (domestic share from its net import reliance; a country producing none passes on its imports; a producer without a usable mix is taken as the origin), hop by hop, as kg.exposure() does. Twin of the origins of kg.exposure() where no route is longer than max_hops and there is no re-export cycle (what is left then is 'truncated').
// param: importer: string = "USA" -- ISO-3 of the importer
// param: mineral: mineral = "rare_earths" -- mineral id
// param: max_hops: integer = 6 -- upstream hops followed
// returns: origin, kind, share
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
WITH * WHERE mineral = $mineral
WITH collect({importer: importer, stage: stage, form: form, year_from: year_from, year_to: year_to, edition: edition,
              source: source, share_basis: share_basis, uncertain: uncertain, total: total, shares: shares}) AS all
CALL (all) {
  UNWIND all AS g
  WITH g WHERE g.importer = $importer
  ORDER BY g.uncertain, g.year_to DESC, coalesce(g.edition, '') DESC, g.total DESC, g.source, coalesce(g.stage, ''),
           coalesce(g.form, '')
  RETURN collect(g)[0] AS root
}
WITH all, root WHERE root IS NOT NULL
// every other country's group: starting no later than the importer's period ends; then as for the importer,
// with the importer's stage first, then the nearest stage upstream
CALL (all, root) {
  UNWIND all AS g
  WITH g, ['mining', 'processing', 'refining', 'metal_production', 'component_manufacturing'] AS order
  WHERE g.importer <> $importer AND g.year_from <= root.year_to
  WITH g, [i IN range(0, 4) WHERE order[i] = root.stage][0] AS ri, [i IN range(0, 4) WHERE order[i] = g.stage][0] AS gi
  WITH g, CASE WHEN ri IS NULL OR gi IS NULL THEN CASE WHEN root.stage IS NULL OR g.stage = root.stage THEN 0 ELSE 5 END
               WHEN ri - gi >= 0 THEN ri - gi ELSE 10 - (ri - gi) END AS distance
  ORDER BY g.importer, g.uncertain, g.year_to DESC, distance, coalesce(g.edition, '') DESC, g.total DESC, g.source,
           coalesce(g.stage, ''), coalesce(g.form, '')
  WITH g.importer AS country, collect(g)[0] AS chosen
  RETURN collect(chosen) AS mixes
}
CALL () {
  OPTIONAL MATCH (c:Country)-[p:PRODUCES]->(:Mineral {id: $mineral})
  WHERE coalesce(p.quantity, 0) > 0 OR coalesce(p.share, 0) > 0 OR p.value_status IN ['withheld', 'not_available']
  RETURN collect(DISTINCT c.id) AS producers
}
CALL (mixes) {
  UNWIND mixes AS g
  OPTIONAL MATCH ({id: g.importer})-[r:RELIES_ON_IMPORTS]->(:Mineral {id: $mineral})
  WHERE r.bound IN ['exact', 'greater_than', 'less_than', 'net_exporter']
  WITH g, r ORDER BY CASE WHEN g.edition IS NOT NULL AND r.edition = g.edition THEN 0 ELSE 1 END, r.year DESC
  WITH g, collect(r)[0] AS r
  RETURN collect({country: g.importer, group: g,
                  reliance: CASE WHEN r IS NULL THEN null WHEN r.bound = 'net_exporter' THEN 0.0 ELSE r.reliance END})
         AS candidates
}
// a supplier's domestic share: sourcing groups count it among their rows; else 1 - net import reliance;
// else 0 for a country producing none; else unknown (the country is then an assumed origin)
WITH root, producers, [n IN candidates | {country: n.country, group: n.group,
       domestic: CASE WHEN n.group.share_basis = 'sourcing' THEN 0.0
                      WHEN n.reliance IS NOT NULL THEN CASE WHEN n.reliance > 1.0 THEN 0.0 ELSE 1.0 - n.reliance END
                      WHEN NOT n.country IN producers THEN 0.0 END}] AS candidates
WITH root, producers, [n IN candidates WHERE n.domestic IS NOT NULL] AS followed
WITH producers, [$importer] + [f IN followed | f.country] AS follow_ids,
     [{country: $importer, group: root, domestic: 0.0}] + followed AS states
UNWIND states AS s
WITH producers, follow_ids, states, s,
     CASE WHEN s.group.total > 1.0 THEN (1.0 - s.domestic) / s.group.total ELSE 1.0 - s.domestic END AS scale
UNWIND s.group.shares AS sh
WITH producers, follow_ids, states, s, sh, sh.share * scale AS p
WHERE p > 0
WITH states, collect({from: s.country, p: p, target: sh.exporter,
                      kind: CASE WHEN sh.exporter = 'other_countries' THEN 'unknown_other'
                                 WHEN sh.exporter = s.country THEN 'origin'
                                 WHEN sh.exporter IN follow_ids THEN 'node'
                                 WHEN sh.exporter IN producers THEN 'assumed_origin'
                                 ELSE 'unknown_supplier' END}) AS moved
WITH states, moved + [s IN states WHERE s.domestic > 0 | {from: s.country, p: s.domestic, kind: 'origin', target: s.country}]
     AS moved
WITH moved + [s IN states | {from: s.country, kind: 'unknown_missing', target: null,
              p: 1.0 - reduce(t = 0.0, x IN [y IN moved WHERE y.from = s.country] | t + x.p)}] AS moved
WITH [t IN moved WHERE t.p > 1e-12] AS trans
WITH trans, reduce(acc = {frontier: [{node: $importer, w: 1.0}], ended: []}, level IN range(1, $max_hops) |
       {frontier: reduce(out = [], f IN acc.frontier |
                         out + [t IN trans WHERE t.from = f.node AND t.kind = 'node' | {node: t.target, w: f.w * t.p}]),
        ended: acc.ended + reduce(out = [], f IN acc.frontier |
                         out + [t IN trans WHERE t.from = f.node AND t.kind <> 'node' |
                                {kind: t.kind, country: t.target, w: f.w * t.p}])}) AS acc
UNWIND acc.ended + [f IN acc.frontier | {kind: 'truncated', country: null, w: f.w}] AS e
WITH e.kind AS kind, CASE WHEN e.kind IN ['unknown_other', 'unknown_missing', 'truncated'] THEN null ELSE e.country END
     AS origin, sum(e.w) AS share
RETURN origin, kind, share
ORDER BY share DESC, origin
