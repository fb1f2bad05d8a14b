namespace Tcd.Models.Training;

/// <summary>The number format the frozen teacher's forward pass runs in during distillation (<see cref="PretrainingOptions.TeacherPrecision"/>).</summary>
public enum TeacherPrecision
{
    /// <summary>32-bit floats, as the teacher was trained: exact relation targets.</summary>
    Float32,

    /// <summary>
    /// bfloat16: a bfloat16 copy of the teacher teaches. Its matrix products run ≈2.5× as fast as fp32 ones on a CPU with
    /// AVX-512 BF16 (measured), and GPUs and CPUs with AMX have faster bfloat16 units still (not measured here); its
    /// cosine similarities, the relation losses' targets, move by ≈1e-3. On a CPU without bfloat16 instructions libtorch
    /// emulates them, which is slower than <see cref="Float32"/>.
    /// </summary>
    BFloat16,
}
