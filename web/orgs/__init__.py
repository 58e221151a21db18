"""Organisation units with validity dates (the tree, renames, mergers, splits) and who may see which."""
