using System.Globalization;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>One point of the fine-tuning grid: the mode, the peak learning rate and (for adapters) the adapter size.</summary>
/// <param name="Mode">Full fine-tuning or adapters.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="AdapterSize">Adapter bottleneck size; 0 for full fine-tuning.</param>
public sealed record GlueConfiguration(FineTuningMode Mode, double LearningRate, int AdapterSize)
{
    /// <summary>
    /// <see cref="LearningRate"/> in the shortest scientific notation that parses back to the same number, with a
    /// two-digit exponent (<c>5e-05</c>, <c>3e-04</c>, <c>1.5e-05</c>): one form for every rate, so names and file names
    /// read alike and two rates never share a name.
    /// </summary>
    internal string LearningRateText
    {
        get
        {
            // "E16" (17 significant digits) always round-trips, so the loop ends there at the latest.
            var text = Enumerable.Range(0, 17)
                .Select(decimals => LearningRate.ToString("E" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))
                .First(candidate => double.Parse(candidate, CultureInfo.InvariantCulture) == LearningRate);
            var exponentAt = text.IndexOf('E', StringComparison.Ordinal);
            var exponent = int.Parse(text[(exponentAt + 1)..], CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"{text[..exponentAt]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}");
        }
    }

    /// <summary>A short description, e.g. <c>full lr=2e-05</c> or <c>adapters lr=3e-04 size=64</c>.</summary>
    public override string ToString() =>
        Mode == FineTuningMode.Full
            ? $"{ModeName(Mode)} lr={LearningRateText}"
            : string.Create(CultureInfo.InvariantCulture, $"{ModeName(Mode)} lr={LearningRateText} size={AdapterSize}");

    /// <summary>A mode as descriptions, cell file names and <c>tcd finetune</c>'s result.json name it: <c>full</c> or <c>adapters</c>.</summary>
    public static string ModeName(FineTuningMode mode) => mode == FineTuningMode.Full ? "full" : "adapters";
}
