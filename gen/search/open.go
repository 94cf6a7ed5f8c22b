package search

import "errors"

// Open loads a whole index from the text of its files, as written by
// Builder.Files. The build's tests and benchmarks use it; a browser loads
// the parts lazily.
func Open(files map[string][]byte, entry string) (*Index, error) {
	read := func(name string) (string, error) {
		b, ok := files[name]
		if !ok {
			return "", errors.New("search: missing index file " + name)
		}
		return string(b), nil
	}
	text, err := read(entry)
	if err != nil {
		return nil, err
	}
	ix, err := ParseEntry(text)
	if err != nil {
		return nil, err
	}
	for i := range ix.shards {
		if text, err = read(ix.ShardFile(i)); err != nil {
			return nil, err
		}
		if err := ix.LoadShard(i, text); err != nil {
			return nil, err
		}
	}
	for k := 0; k*blockDocs < ix.n; k++ {
		if text, err = read(ix.BlockFile(k)); err != nil {
			return nil, err
		}
		if err := ix.LoadBlock(k, text); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// Find parses q and returns the best limit hits from a fully loaded index.
func (ix *Index) Find(q string, limit int) []Hit {
	pq := ParseQuery(q)
	return ix.Search(pq, ix.Expand(pq), limit)
}
