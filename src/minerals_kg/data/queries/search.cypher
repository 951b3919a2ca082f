// name: search
// description: Find nodes by name or id with the full-text index mkg_name_fulltext (Lucene syntax: words, "phrases", prefixes such as lyn*, fuzzy lynas~): countries, organisations, firms, facilities, minerals, end uses, instruments, events and sources, best match first.
// param: text: string = "rare earth" -- what to look for
// param: limit: integer = 20 -- how many results
// returns: id, label, name, score
CALL db.index.fulltext.queryNodes('mkg_name_fulltext', $text) YIELD node, score
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'PolicyInstrument'][0] AS label,
       coalesce(node.name, node.title) AS name, score
ORDER BY score DESC, id
LIMIT $limit
