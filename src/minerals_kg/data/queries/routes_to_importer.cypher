// name: routes_to_importer
// description: Routes a mineral takes from a mine country to an importer through third countries: every chain of IMPORTS_FROM facts with printed shares of imports or sourcing, origin first, with the share of each hop, the product of the shares and each hop's source and edition (each hop as its source prints it; kg.exposure chooses one group per country).
// param: origin: country = "CHN" -- ISO-3 of the country where the material starts
// param: importer: string = "USA" -- ISO-3 or organisation id of the importer
// param: mineral: mineral = "rare_earths" -- mineral id
// param: max_hops: integer = 3 -- the longest route, in trade flows (1-6)
// returns: route, hops, share, sources
MATCH path = (imp {id: $importer})-[rs:IMPORTS_FROM*1..6]->(o:Country {id: $origin})
WHERE size(rs) <= $max_hops
  AND all(r IN rs WHERE r.mineral = $mineral AND r.share IS NOT NULL
          AND coalesce(r.share_basis, 'imports') IN ['imports', 'sourcing'])
  AND all(i IN range(0, size(nodes(path)) - 2) WHERE NOT (nodes(path)[i] IN nodes(path)[i + 1..]))
WITH path, rs, reverse([n IN nodes(path) | n.id]) AS route
RETURN route, size(rs) AS hops, reduce(p = 1.0, r IN rs | p * r.share) AS share,
       reverse([r IN rs | {share: r.share, source: r.source, edition: r.edition, period: toString(r.year_from) + '-' + toString(r.year_to)}]) AS sources
ORDER BY share DESC, hops, route
