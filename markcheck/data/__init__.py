"""Reference data shipped with markcheck (see LICENSE-cablemap.txt)."""
