using System.Globalization;
using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Modeling;

namespace Tcd.Quickstart;

/// <summary>Everything the quickstart can be told on its command line.</summary>
internal sealed record QuickstartSettings
{
    /// <summary>The key of <see cref="Experts"/> in <see cref="PretrainingRecord"/>.</summary>
    public const string ExpertsOption = "experts";

    /// <summary>The key of the pre-trained model's fingerprint in <see cref="FineTuningRecord"/>.</summary>
    public const string ModelOption = "model";

    /// <summary>The key of the fine-tuning data's content in <see cref="FineTuningRecord"/>.</summary>
    public const string GlueOption = "glue";

    /// <summary>The GLUE split each task is fine-tuned on, and the one it is scored on.</summary>
    public const string TrainSplit = "train", DevSplit = "dev";

    /// <summary>The model sizes <see cref="Preset"/> may name (case-insensitive).</summary>
    public static readonly IReadOnlyDictionary<string, BertConfig> Presets = new Dictionary<string, BertConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = BertConfig.Tiny,
        ["paper-small"] = BertConfig.PaperSmall,
    };

    public required string Preset { get; init; }
    public required long PretrainSteps { get; init; }
    public required int BatchSize { get; init; }
    public required int SequenceLength { get; init; }
    public required int Experts { get; init; }
    public required double LearningRate { get; init; }
    public required int FineTuneEpochs { get; init; }
    public required double FineTuneLearningRate { get; init; }
    public required int? MaxTrainExamples { get; init; }
    public required string Corpus { get; init; }
    public required string GlueDirectory { get; init; }
    public required string OutputDirectory { get; init; }
    public required string Device { get; init; }
    public required int Threads { get; init; }
    public required long Seed { get; init; }

    /// <summary>
    /// Checks every option before any work, so that a bad value is reported at once instead of after pre-training
    /// (or as a stack trace from deep inside it). --device is checked earlier, as the command line is parsed.
    /// </summary>
    /// <param name="glueTasks">The tasks whose train.tsv and dev.tsv must be under <see cref="GlueDirectory"/>.</param>
    /// <exception cref="QuickstartUsageException">An option's value cannot be used; the message names the option.</exception>
    public void Validate(IReadOnlyList<GlueTask> glueTasks)
    {
        if (!Presets.ContainsKey(Preset))
        {
            throw new QuickstartUsageException($"--preset '{Preset}' is not a preset: use {string.Join(" or ", Presets.Keys.Select(name => $"'{name}'"))}.");
        }

        RequireAtLeast("--steps", PretrainSteps, 1);
        RequireAtLeast("--batch-size", BatchSize, 1);
        // Below 8 tokens a segment is little more than [CLS] and [SEP] (PretrainingOptions refuses it too).
        RequireAtLeast("--seq-length", SequenceLength, 8);
        RequireAtLeast("--experts", Experts, 1);
        RequirePositive("--lr", LearningRate, "1e-3");
        RequireAtLeast("--finetune-epochs", FineTuneEpochs, 1);
        RequirePositive("--finetune-lr", FineTuneLearningRate, "1e-3");
        if (MaxTrainExamples is { } maxTrain)
        {
            RequireAtLeast("--max-train", maxTrain, 1);
        }

        // libtorch ends the process on a thread count below 1.
        RequireAtLeast("--threads", Threads, 1);
        if (!File.Exists(Corpus) && !Directory.Exists(Corpus))
        {
            throw new QuickstartUsageException($"--corpus '{Corpus}' does not exist; give a text file (WikiExtractor output or plain UTF-8) or a folder of them.");
        }

        try
        {
            _ = TextCorpus.FilesOf(Corpus);
        }
        catch (FileNotFoundException ex)
        {
            throw new QuickstartUsageException($"--corpus: {ex.Message}");
        }

        RequireGlueFiles(glueTasks);
        if (File.Exists(OutputDirectory))
        {
            throw new QuickstartUsageException($"--out '{OutputDirectory}' is a file; give a folder (it is created if missing).");
        }
    }

    /// <summary>
    /// The options that shape a pre-trained model, as a run folder records them (option name without "--" → value):
    /// what the folder holds is only the model these options give. Device, threads and the fine-tuning options change
    /// how fast it is trained or what is done with it afterwards, not the model, so they are not recorded. A model without
    /// experts (the teacher) is not shaped by <see cref="ExpertsOption"/>. The corpus is hashed, so build this once.
    /// </summary>
    public JsonObject PretrainingRecord() => new()
    {
        ["preset"] = Preset.ToLowerInvariant(),
        ["steps"] = PretrainSteps,
        ["batch-size"] = BatchSize,
        ["seq-length"] = SequenceLength,
        [ExpertsOption] = Experts,
        ["lr"] = LearningRate,
        ["corpus"] = CorpusIdentity(),
        ["seed"] = Seed,
    };

    /// <summary>
    /// The options that shape a fine-tuning's result, as its folder records them, with the fingerprint of the pre-trained
    /// model it starts from (<see cref="ModelOption"/>) and the task's files (<see cref="GlueFilesIdentity"/>): a stored
    /// result is reused only when all of them agree.
    /// </summary>
    public JsonObject FineTuningRecord(string modelFingerprint, string glueFiles) => new()
    {
        [ModelOption] = modelFingerprint,
        [GlueOption] = glueFiles,
        ["finetune-epochs"] = FineTuneEpochs,
        ["finetune-lr"] = FineTuneLearningRate,
        ["max-train"] = MaxTrainExamples,
        ["seq-length"] = SequenceLength,
        ["seed"] = Seed,
    };

    /// <summary>The longest fine-tuning example in tokens: a pair is two segments' worth of text, within the model's positions.</summary>
    public int FineTuningSequenceLength(BertConfig model) => Math.Min(SequenceLength * 2, model.MaxPositions);

    /// <summary>
    /// The corpus as its content, not its path: the default corpus lies beside the program, so a Debug and a Release
    /// build (or a moved checkout) name the same text differently, and a run must not be refused for that. A folder is
    /// every file it is read as, by name and content (<see cref="TextCorpus.Fingerprint"/>).
    /// </summary>
    private string CorpusIdentity() => ContentIdentity(Corpus);

    /// <summary>The task's <see cref="TrainSplit"/> and <see cref="DevSplit"/> files as their content (hashed: build it once per task).</summary>
    public string GlueFilesIdentity(GlueTask task) =>
        string.Join(", ", new[] { TrainSplit, DevSplit }.Select(split => ContentIdentity(Path.Combine(GlueDirectory, task.DirectoryName, task.GetSplit(split).FileName))));

    /// <summary>
    /// A file as its name and content, e.g. <c>train.tsv (1234 bytes, SHA-256 0123456789abcdef)</c>; a corpus folder as
    /// its name, files and content, e.g. <c>wiki/ (3 files, 5678 bytes, SHA-256 0123456789abcdef)</c>.
    /// </summary>
    private static string ContentIdentity(string path)
    {
        var files = TextCorpus.FilesOf(path);
        var bytes = files.Sum(file => new FileInfo(file).Length);
        var hash = TextCorpus.Fingerprint(path)[..16];
        var name = Directory.Exists(path) ? $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}/ ({files.Count} files, " : $"{Path.GetFileName(path)} (";
        return string.Create(CultureInfo.InvariantCulture, $"{name}{bytes} bytes, SHA-256 {hash})");
    }

    private void RequireGlueFiles(IReadOnlyList<GlueTask> glueTasks)
    {
        var missing = new GlueReader(GlueDirectory).MissingFineTuningFiles(glueTasks);
        if (missing.Count > 0)
        {
            var needed = string.Join(" and ", glueTasks.Select(task => $"{task.DirectoryName}/"));
            throw new QuickstartUsageException(
                $"--glue '{GlueDirectory}' {(Directory.Exists(GlueDirectory) ? $"lacks {string.Join(", ", missing)}" : "does not exist")}: " +
                $"the quickstart needs train.tsv and dev.tsv in {needed} (the original GLUE layout).");
        }
    }

    private static void RequireAtLeast(string option, long value, long minimum)
    {
        if (value < minimum)
        {
            throw new QuickstartUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be {minimum} or more, not {value}."));
        }
    }

    private static void RequirePositive(string option, double value, string example)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new QuickstartUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be a finite number above 0, e.g. {example}, not {value}."));
        }
    }
}
