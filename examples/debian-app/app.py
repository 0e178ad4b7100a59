"""The example application: prints where it runs."""
import platform

print(f"hello from {platform.platform()}")
