"""A synthetic business register of N enterprises with Hanoi-like sizes (most micro, about 2%
large), every column filled, for the benchmarks. Usage: make-register.py N FILE"""
import csv
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
random.seed(1)
areas = [row["code"] for row in csv.DictReader(open("surveys/reference/areas.csv"))]
sections = [row["code"] for row in csv.DictReader(open("surveys/reference/vsic_sections.csv"))]
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["tax_code", "name", "area_code", "vsic_section", "employees", "revenue", "capital",
                "address", "email", "phone"])
    for i in range(n):
        u = random.random()
        employees = random.randint(1, 9) if u < 0.75 else random.randint(10, 49) if u < 0.95 \
            else random.randint(50, 99) if u < 0.99 else random.randint(100, 2000)
        revenue = round(employees * random.uniform(0.2, 1.5), 1)
        w.writerow([f"01{i:08d}", f"Công ty TNHH Thương mại và Dịch vụ số {i}", random.choice(areas),
                    random.choice(sections), employees, revenue, round(revenue / 2, 1),
                    f"Số {i % 500} phố Hàng Bạc", f"lienhe{i}@example.vn", f"024 {i % 10000:04d} {i % 1000:03d}"])
