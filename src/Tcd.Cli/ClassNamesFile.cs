using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Cli;

/// <summary>
/// <c>labels.json</c> of a model folder: the class names of a classifier's outputs in output order, which
/// <c>import-hf</c> keeps from a checkpoint's <c>id2label</c> (a model folder has no place for them otherwise), and
/// <c>predict</c> and <c>export-hf</c> read back.
/// </summary>
internal static class ClassNamesFile
{
    public const string FileName = "labels.json";

    /// <summary>Writes <paramref name="names"/>, unless they are transformers' placeholders (<c>LABEL_0</c>, ...), which name nothing.</summary>
    public static void Write(string modelFolder, IReadOnlyList<string> names)
    {
        if (!ArePlaceholders(names))
        {
            File.WriteAllText(Path.Combine(modelFolder, FileName), JsonSerializer.Serialize(names, TcdJson.Indented));
        }
    }

    /// <summary>True when <paramref name="names"/> are transformers' placeholders (<c>LABEL_0</c>, <c>LABEL_1</c>, ...), which name no class.</summary>
    public static bool ArePlaceholders(IReadOnlyList<string> names) => names.Select((name, id) => name == $"LABEL_{id}").All(placeholder => placeholder);

    /// <summary>The class names in output order, or null when the folder has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON array of strings; the message names it.</exception>
    public static IReadOnlyList<string>? Read(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<List<string>>(File.ReadAllText(path), TcdJson.Compact) ?? throw new JsonException("it holds null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' must be a JSON array of class names in output order: {UserMessages.JsonProblem(ex)}", ex);
        }
    }

    /// <summary>
    /// The names of the <paramref name="classCount"/> classes of the classifier in <paramref name="modelFolder"/> and
    /// where they come from: its <see cref="FileName"/> (an imported checkpoint's), else the GLUE task of the
    /// <c>tcd finetune</c> run it belongs to; null when neither names that many classes.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder's <see cref="FileName"/> is not a JSON array of names.</exception>
    public static (IReadOnlyList<string> Names, string Source)? Find(string modelFolder, int classCount)
    {
        if (Read(modelFolder) is { } imported && imported.Count == classCount)
        {
            return (imported, FileName);
        }

        return FineTuningRunRecord.Find(modelFolder)?.Task is { IsRegression: false } task && task.LabelNames.Count == classCount
            ? (task.LabelNames, $"the fine-tuning task {task.Name}")
            : null;
    }
}
