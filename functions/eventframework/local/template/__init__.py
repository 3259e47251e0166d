"""The SAM template as local tooling sees it: read (short tags, language extensions expanded),
evaluated (Ref, GetAtt, Sub, conditions), and its generated parts written from sources/."""
