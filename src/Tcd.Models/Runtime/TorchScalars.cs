using TorchSharp;

namespace Tcd.Models.Runtime;

/// <summary>TorchSharp scalars that stay alive while libtorch reads them.</summary>
/// <remarks>
/// TorchSharp 0.107 frees a <see cref="Scalar"/>'s native value in its finalizer. A scalar made by an implicit
/// conversion (<c>t.mul(0.5)</c>, <c>t * 0.5</c>, <c>t.masked_fill(mask, 0)</c>) is garbage as soon as its handle has
/// been passed to the native call, so a garbage collection during that call can free it while libtorch still reads it,
/// and the call fails at random with "Unknown scalar type" or "Expected false to be true". Measured with another thread
/// collecting garbage (<c>benchmarks/experiments/scalar-gc-race.cs</c>): 36–58 failures in 3.5–4.5 million calls, none
/// when the scalar is held. So the library never converts implicitly: constants come from here (static, never
/// collected), other values from <c>using var value = x.ToScalar();</c>, which holds them to the end of the scope.
/// <c>TorchScalarsTests</c> checks the sources for implicit conversions. Some TorchSharp methods still make such a
/// scalar inside (<c>add(Tensor)</c> and so <c>a + b</c> pass an alpha of 1, <c>square()</c> an exponent of 2,
/// <c>linalg.vector_norm</c> its order); under a garbage collector kept busy on purpose
/// (<c>benchmarks/experiments/scalar-gc-pretraining.cs</c>) 2 of 79 short TCD runs still failed in those, so the rest
/// of the fix belongs in TorchSharp.
/// </remarks>
internal static class TorchScalars
{
    /// <summary>The integer 0.</summary>
    public static Scalar Zero { get; } = 0.ToScalar();

    /// <summary>The integer 1.</summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary>The integer 2.</summary>
    public static Scalar Two { get; } = 2.ToScalar();
}
