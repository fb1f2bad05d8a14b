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
/// TorchSharp's own methods that convert inside are avoided too: <c>add(Tensor)</c> passes an alpha of 1 (so every
/// <c>a + b</c>; the library writes <c>a.add(b, TorchScalars.One)</c>), <c>square()</c> an exponent of 2
/// (<c>pow(TorchScalars.Two)</c>), <c>arange(stop)</c> a start of 0, <c>linalg.vector_norm</c> its order.
/// <c>TorchScalarsTests</c> checks the sources for implicit conversions and for calls of such methods, which it finds
/// in TorchSharp's IL. Under a garbage collector kept busy on purpose
/// (<c>benchmarks/experiments/scalar-gc-pretraining.cs</c>) short TCD runs failed 2 times in 79 with only the
/// implicit conversions removed, and none in 84 with both.
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
