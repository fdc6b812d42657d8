"""Seeded generators of synthetic sample data. `GENERATORS` lists the ones `scrutiny make-sample <name>` runs:
name -> (module path, folder under the repo written by its `generate(out_dir)`)."""

GENERATORS = {
    "victims": ("scrutiny.synthetic.victims", "data/sample/force_extract"),
    "criminal_justice": ("scrutiny.synthetic.criminal_justice", "data/sample/criminal_justice"),
}
