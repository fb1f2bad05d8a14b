using System.Globalization;

namespace Tcd.Experiments.Glue;

/// <summary>
/// The command-line options that replace a <see cref="GlueSuiteGrid"/>'s learning rates and adapter sizes,
/// <c>--full-lr</c>, <c>--adapter-lr</c> and <c>--adapter-sizes</c>, read alike by <c>tcd glue</c> and the Glue sample:
/// each a comma-separated list (<c>2e-5,5e-5</c>) given in place of the grid's own, so that one configuration, or one
/// mode of the paper's grid, runs; <see cref="NoValues"/> switches a learning-rate option's mode off.
/// </summary>
public static class GlueSuiteGridOptions
{
    /// <summary>The option of <see cref="GlueSuiteGrid.FullLearningRates"/>.</summary>
    public const string FullLearningRatesName = "--full-lr";

    /// <summary>The option of <see cref="GlueSuiteGrid.AdapterLearningRates"/>.</summary>
    public const string AdapterLearningRatesName = "--adapter-lr";

    /// <summary>The option of <see cref="GlueSuiteGrid.AdapterSizes"/> and <see cref="GlueSuiteGrid.LargeModelAdapterSizes"/> both.</summary>
    public const string AdapterSizesName = "--adapter-sizes";

    /// <summary>What <see cref="FullLearningRatesName"/> and <see cref="AdapterLearningRatesName"/> take to switch their mode off (any case).</summary>
    public const string NoValues = "none";

    private const string RateExpected = "a learning rate, a number above 0";

    /// <summary>The help text of <see cref="FullLearningRatesName"/>.</summary>
    public const string FullLearningRatesHelp =
        $"Learning rates of full fine-tuning in place of the grid's, comma-separated (e.g. 2e-5); '{NoValues}' runs no full fine-tuning [default: the grid's].";

    /// <summary>The help text of <see cref="AdapterLearningRatesName"/>.</summary>
    public const string AdapterLearningRatesHelp =
        $"Learning rates of adapter tuning in place of the grid's, comma-separated (e.g. 3e-4); '{NoValues}' runs no adapter tuning [default: the grid's].";

    /// <summary>The help text of <see cref="AdapterSizesName"/>.</summary>
    public const string AdapterSizesHelp =
        "Adapter sizes in place of the grid's, for models of every width, comma-separated (e.g. 64) [default: the grid's].";

    /// <summary>
    /// <paramref name="grid"/> with the learning rates and adapter sizes that the three options give in place of its own;
    /// an option not given (null) keeps the grid's. The sizes replace the sizes of models of every width.
    /// </summary>
    /// <param name="grid">The named grid (<see cref="GlueSuiteGrid.FromName"/>) the options change.</param>
    /// <param name="fullLearningRates">The text of <see cref="FullLearningRatesName"/>: positive numbers separated by commas, or <see cref="NoValues"/>; null keeps the grid's.</param>
    /// <param name="adapterLearningRates">The text of <see cref="AdapterLearningRatesName"/>, alike.</param>
    /// <param name="adapterSizes">The text of <see cref="AdapterSizesName"/>: whole numbers above 0 separated by commas; null keeps the grid's.</param>
    /// <exception cref="FormatException">An item is not a value of its option; the message names the option and the item.</exception>
    /// <exception cref="ArgumentException">Both learning-rate options are <see cref="NoValues"/>, which leaves no configuration; the message names them.</exception>
    public static GlueSuiteGrid Apply(GlueSuiteGrid grid, string? fullLearningRates, string? adapterLearningRates, string? adapterSizes)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var sizes = ReadList(adapterSizes, AdapterSizesName, "an adapter size, a whole number above 0", "16,64", allowNone: false, ParseSize);
        var chosen = grid with
        {
            FullLearningRates = ReadList(fullLearningRates, FullLearningRatesName, RateExpected, "1e-5,2e-5", allowNone: true, ParseRate) ?? grid.FullLearningRates,
            AdapterLearningRates = ReadList(adapterLearningRates, AdapterLearningRatesName, RateExpected, "1e-4,3e-4", allowNone: true, ParseRate) ?? grid.AdapterLearningRates,
            AdapterSizes = sizes ?? grid.AdapterSizes,
            LargeModelAdapterSizes = sizes ?? grid.LargeModelAdapterSizes,
        };
        if (chosen.FullLearningRates.Count == 0 && chosen.AdapterLearningRates.Count == 0)
        {
            throw new ArgumentException(
                $"{FullLearningRatesName} and {AdapterLearningRatesName} leave the grid without a configuration; give learning rates to at least one of them.");
        }

        return chosen;
    }

    /// <summary>The values of a comma-separated list option; null when it is not given, empty for <see cref="NoValues"/>.</summary>
    private static IReadOnlyList<T>? ReadList<T>(string? text, string option, string expected, string example, bool allowNone, Func<string, T?> parse)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        if (allowNone && text.Trim().Equals(NoValues, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var values = items.Select(parse).ToList();
        var bad = values.IndexOf(null);
        return bad < 0
            ? values.Select(value => value!.Value).ToList()
            : throw new FormatException(
                $"{option}: '{items[bad]}' is not {expected}; give values separated by commas, e.g. {option} {example}" +
                (allowNone ? $", or '{NoValues}'." : "."));
    }

    private static double? ParseRate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate) && rate > 0 ? rate : null;

    private static int? ParseSize(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 ? size : null;
}
