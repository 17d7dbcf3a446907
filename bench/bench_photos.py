"""How long HQ waits for one product photo: a 4000×4000 JPEG checked, decoded, made square and written in
both sizes as WebP and JPEG; and how large the files the pages load are.

    python -m bench.bench_photos
"""
import io
import os
import tempfile
import time

from webapp.catalog.photos import services
from webapp.demo.photos import bottle


def main() -> None:
    upload = io.BytesIO()
    bottle((206, 32, 41), "农夫山泉").resize((4000, 4000)).save(upload, "JPEG", quality=92)
    data = upload.getvalue()
    folder = tempfile.mkdtemp()
    times = []
    for n in range(5):
        started = time.perf_counter()
        services._write_all(services._decoded(data, services.LIMIT), f"{n:032x}", folder)
        times.append(time.perf_counter() - started)
    files = {name.split("-", 1)[1]: os.path.getsize(os.path.join(folder, name))
             for name in os.listdir(folder) if name.startswith("0" * 32)}
    print(f"upload: {len(data) / 1e6:.2f} MB, 4000×4000 JPEG")
    print(f"check + decode + square + 4 files: best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
          f"(of {len(times)})")
    for name in sorted(files):
        print(f"  {name:<11} {files[name] / 1024:6.1f} KB")
    print(f"load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
