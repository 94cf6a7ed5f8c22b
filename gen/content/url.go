package content

// URLOf returns the URL, below the base path, of the page at rel, a slash
// path below content/ without ".md" (a section's or leaf bundle's folder for
// its _index.md, index.md or README.md). It is the URL the site gives the
// page: lower case, spaces as '-', only letters, digits and "._-~+/" kept, so
// "procedures/Database" and "procedures/database" are one page. "" is "/".
func URLOf(rel string) string { return urlPath(rel) }
