using System.Text.RegularExpressions;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Cli;

/// <summary>
/// Runs a library options class's own validation and reports its failures by command-line option: the library names the
/// property (<c>TotalSteps</c>), the user typed the option (<c>--steps</c>).
/// </summary>
internal static class OptionValidation
{
    /// <summary>
    /// Runs <paramref name="validate"/>; an argument or missing-folder error it throws becomes a
    /// <see cref="CliUsageException"/> in which every property <paramref name="optionNames"/> maps (also as
    /// <c>Type.Property</c>) reads as its option, led by the option the error is about.
    /// </summary>
    /// <param name="validate">The validation, e.g. <c>options.Validate</c>.</param>
    /// <param name="optionNames">Property name → the option that sets it; unmapped properties keep their name.</param>
    public static void Run(Action validate, IReadOnlyDictionary<string, string> optionNames)
    {
        try
        {
            validate();
        }
        catch (Exception ex) when (ex is ArgumentException or DirectoryNotFoundException or FileNotFoundException)
        {
            throw InOptionTerms(ex, optionNames);
        }
    }

    /// <summary>
    /// <paramref name="error"/> as a <see cref="CliUsageException"/> in which every property <paramref name="optionNames"/>
    /// maps (also as <c>Type.Property</c>) reads as its option, led by the option the error is about.
    /// </summary>
    public static CliUsageException InOptionTerms(Exception error, IReadOnlyDictionary<string, string> optionNames)
    {
        var message = InOptionTerms(UserMessages.Readable(error), optionNames);
        var option = error is ArgumentException { ParamName: { } property } && optionNames.TryGetValue(property, out var name) ? name : null;
        return new CliUsageException(option is null || message.StartsWith(option, StringComparison.Ordinal) ? message : $"{option}: {message}");
    }

    /// <summary>
    /// The refusal to resume from a checkpoint of another run (<see cref="CheckpointMismatchException.Differences"/>), with
    /// each difference in option terms and the options that lead out of it.
    /// </summary>
    /// <param name="outputFolder">The <c>--out</c> folder that holds the checkpoint.</param>
    /// <param name="differences">Each difference as the library words it, e.g. "BatchSize 32 (now 16)".</param>
    /// <param name="optionNames">Property name → the option that sets it.</param>
    public static CliUsageException CheckpointOfAnotherRun(string outputFolder, IEnumerable<string> differences, IReadOnlyDictionary<string, string> optionNames) => new(
        $"--out '{outputFolder}' holds a checkpoint of another run ({string.Join("; ", differences.Select(difference => InOptionTerms(difference, optionNames)))}): " +
        "run with the options that started it, choose another --out, or start over with --no-resume.");

    /// <summary><paramref name="text"/> with every property <paramref name="optionNames"/> maps (also as <c>Type.Property</c>) replaced by its option.</summary>
    public static string InOptionTerms(string text, IReadOnlyDictionary<string, string> optionNames) =>
        optionNames.Aggregate(text, (current, name) => Regex.Replace(current, $@"\b(?:\w+\.)*{Regex.Escape(name.Key)}\b", name.Value));
}
