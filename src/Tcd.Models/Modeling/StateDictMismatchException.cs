namespace Tcd.Models.Modeling;

/// <summary>
/// Thrown when a weights file does not fit a model: tensors the model needs are missing, the file has tensors the
/// model does not know, or shapes differ. The message lists every problem.
/// </summary>
public sealed class StateDictMismatchException : IOException
{
    private const int MaxNamesInMessage = 5;

    /// <summary>Creates the exception for the weights at <paramref name="path"/> (a file, or a description of the source).</summary>
    public StateDictMismatchException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(BuildMessage(path, missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Names the model has but the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names the file has but the model lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>One line per tensor whose shape differs: <c>name: file [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string BuildMessage(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
    {
        var lines = new List<string>
        {
            $"The weights in '{path}' do not match the model built from its configuration; check that the configuration " +
            "(config.json) and the weights (model.safetensors) come from the same saved model.",
        };
        if (missing.Count > 0)
        {
            lines.Add($"Missing from the file ({missing.Count}): {FirstFew(missing, ", ")}");
        }

        if (unexpected.Count > 0)
        {
            lines.Add($"Not in the model ({unexpected.Count}): {FirstFew(unexpected, ", ")}");
        }

        if (shapeMismatches.Count > 0)
        {
            lines.Add($"Shape differs ({shapeMismatches.Count}): {FirstFew(shapeMismatches, "; ")}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// The first names of a list, and how many more: a model of another depth or expert count differs in hundreds of
    /// tensors, and the message stays readable (the properties keep every name).
    /// </summary>
    private static string FirstFew(IReadOnlyList<string> names, string separator) =>
        string.Join(separator, names.Take(MaxNamesInMessage)) + (names.Count > MaxNamesInMessage ? $"{separator}… and {names.Count - MaxNamesInMessage} more" : string.Empty);
}
