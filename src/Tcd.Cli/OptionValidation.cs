namespace Tcd.Cli;

/// <summary>
/// Runs a library options class's own validation and reports its failures by command-line option: the library names the
/// property (<c>TotalSteps</c>), the user typed the option (<c>--steps</c>).
/// </summary>
internal static class OptionValidation
{
    /// <summary>
    /// Runs <paramref name="validate"/>; an <see cref="ArgumentException"/> it throws becomes a
    /// <see cref="CliUsageException"/> that names the option <paramref name="optionNames"/> maps its parameter to.
    /// </summary>
    /// <param name="validate">The validation, e.g. <c>options.Validate</c>.</param>
    /// <param name="optionNames">Property name → the option that sets it; unmapped properties keep their name.</param>
    public static void Run(Action validate, IReadOnlyDictionary<string, string> optionNames)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            var property = ex.ParamName ?? string.Empty;
            var option = optionNames.TryGetValue(property, out var name) ? name : property;
            var message = ex.Message.Split(" (Parameter", 2)[0];

            // "Epochs ('0') must be ..." reads "--epochs ('0') must be ...".
            throw new CliUsageException(property.Length > 0 && message.StartsWith(property + " ", StringComparison.Ordinal)
                ? option + message[property.Length..]
                : $"{option}: {message}");
        }
    }
}
