"""The reorganisation pages: a decision's list of units checked, previewed and applied."""
