namespace Tcd.Models.Xpert;

/// <summary>
/// Reported by <see cref="TuckerDecomposition"/> after every HOOI sweep; equal to another report of the same values, as
/// every progress record of the library is.
/// </summary>
public readonly record struct TuckerProgress
{
    /// <summary>Creates a progress report.</summary>
    /// <param name="iteration">The 1-based HOOI sweep just finished.</param>
    /// <param name="maxIterations">The sweep budget, <see cref="TuckerOptions.MaxIterations"/>.</param>
    /// <param name="relativeError">‖X − X̂‖ / ‖X‖ after the sweep.</param>
    /// <param name="change">Previous error minus this one (positive when the fit improved).</param>
    public TuckerProgress(int iteration, int maxIterations, double relativeError, double change)
    {
        Iteration = iteration;
        MaxIterations = maxIterations;
        RelativeError = relativeError;
        Change = change;
    }

    /// <summary>The 1-based HOOI sweep just finished.</summary>
    public int Iteration { get; init; }

    /// <summary>The sweep budget, <see cref="TuckerOptions.MaxIterations"/>.</summary>
    public int MaxIterations { get; init; }

    /// <summary>‖X − X̂‖ / ‖X‖ after the sweep.</summary>
    public double RelativeError { get; init; }

    /// <summary>Previous error minus this one (positive when the fit improved).</summary>
    public double Change { get; init; }

    /// <summary>A one-line summary for logs and consoles, e.g. <c>HOOI sweep 3/100: relative error 0.123457, change 1.2E-05</c>.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"HOOI sweep {Iteration}/{MaxIterations}: relative error {RelativeError:G6}, change {Change:G2}");
}
