using System.Globalization;

namespace Tcd.Cli;

/// <summary>Wording shared by the commands' output lines.</summary>
internal static class CliText
{
    /// <summary>
    /// <paramref name="count"/> with <paramref name="noun"/> in the singular or plural: "1 step", "3 steps", "0 steps".
    /// (The samples' <c>SampleCommandLine.Count</c> says the same; the tool cannot reference the samples.)
    /// </summary>
    /// <param name="count">How many.</param>
    /// <param name="noun">The singular noun, or a phrase ending in one ("training example"); its plural adds an "s".</param>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
