"""Structure folding throughput: keras_motifs.structure.predict_structures (ViennaRNA MFE + forgi
contexts) on 600 random 101-nt sequences, no cache, with 1 and 2 worker processes; then RNA.fold
alone on 300 of them. Usage: python benchmarks/structure_folding.py
"""
import random, time, os
from keras_motifs.structure import predict_structures
if __name__ == "__main__":
    rng = random.Random(0)
    seqs = ["".join(rng.choice("ACGT") for _ in range(101)) for _ in range(600)]
    for jobs in (1, 2):
        t = time.perf_counter(); predict_structures(seqs, n_jobs=jobs, chunk_size=100); dt = time.perf_counter() - t
        print(f"n_jobs={jobs}: {len(seqs)/dt:.0f} seq/s ({dt*1000/len(seqs):.1f} ms/seq), load {os.getloadavg()[0]:.1f}")
    import RNA
    t = time.perf_counter(); [RNA.fold(s.replace('T','U')) for s in seqs[:300]]; print(f"fold only: {(time.perf_counter()-t)*1000/300:.1f} ms/seq")
