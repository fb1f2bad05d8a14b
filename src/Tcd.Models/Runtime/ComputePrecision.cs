namespace Tcd.Models.Runtime;

/// <summary>
/// The number format a network's weights and matrix products compute in. It is the precision of the frozen teacher in
/// distillation (<see cref="Training.PretrainingOptions.TeacherPrecision"/>) and of a model serving predictions (the
/// ML.NET catalog's <c>MoveModel(model, device, precision)</c>, <c>tcd predict --precision</c>). Training itself always
/// runs in <see cref="Float32"/>.
/// </summary>
public enum ComputePrecision
{
    /// <summary>32-bit floats, as models are trained and saved: exact outputs.</summary>
    Float32,

    /// <summary>
    /// bfloat16: fp32's range with an 8-bit mantissa, so weights and activations round to ≈3 significant digits. Matrix
    /// products run ≈2.5× as fast as fp32 ones on a CPU with AVX-512 BF16 (measured; predictions of a small classifier
    /// ≈1.5× as fast end to end), and GPUs and CPUs with AMX have faster bfloat16 units still (not measured here); a
    /// distillation teacher's cosine similarities, the relation losses' targets, move by ≈1e-3, and a classifier's
    /// probabilities by ≈1e-2. On a CPU without bfloat16 instructions libtorch emulates them, which is slower than
    /// <see cref="Float32"/>.
    /// </summary>
    BFloat16,
}
