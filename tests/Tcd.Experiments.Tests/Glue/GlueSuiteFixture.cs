using Tcd.Experiments.Glue;
using Tcd.Models.Modeling;
using Tcd.Models.Tests.Data.Glue;
using TorchSharp;

namespace Tcd.Experiments.Tests.Glue;

/// <summary>A temp folder with tiny saved models, and suite options that run a one-cell grid in seconds.</summary>
internal sealed class GlueSuiteFixture : IDisposable
{
    public static readonly BertConfig TinyConfig = new()
    {
        NumLayers = 2, HiddenSize = 32, NumHeads = 2, IntermediateSize = 64, MaxPositions = 64,
    };

    public GlueSuiteFixture() => Root = Directory.CreateTempSubdirectory("tcd-glue-suite-").FullName;

    public string Root { get; }

    public string Output => Path.Combine(Root, "out");

    public static string CorpusFile => Path.Combine(ShippedGlueData.Root, "..", "corpus", "enwiki-sample.txt");

    /// <summary>Saves a freshly initialised masked-LM model; with <paramref name="logLikelihood"/>, also a pretraining.json.</summary>
    public GlueSuiteModel SaveModel(string name, BertConfig config, long seed, double? logLikelihood = null)
    {
        var folder = Path.Combine(Root, "models", name);
        torch.manual_seed(seed);
        using var model = new BertForMaskedLm(config);
        BertModelStore.Save(model, config, folder);
        if (logLikelihood is { } value)
        {
            GlueSuiteModel.WritePretrainingLogLikelihood(folder, value);
        }

        return new GlueSuiteModel(name, folder);
    }

    public GlueSuiteOptions OneCellOptions(IReadOnlyList<GlueSuiteModel> models, params string[] tasks) => new()
    {
        Models = models,
        GlueDirectory = ShippedGlueData.Root,
        Tasks = tasks,
        OutputDirectory = Output,
        Grid = new GlueSuiteGrid { FullLearningRates = [1e-3], AdapterLearningRates = [], AdapterSizes = [] },
        Seeds = [1],
        Epochs = 1,
        BatchSize = 16,
        MaxSequenceLength = 32,
        MaxTrainExamples = 48,
        MaxEvaluationExamples = 32,
        Device = "cpu",
    };

    /// <summary>A copy of one task's shipped GLUE slice in a GLUE folder of its own (<c>Root/glue</c>), to change or add to.</summary>
    public string CopyOfTheShippedTask(string task)
    {
        var glue = Path.Combine(Root, "glue");
        Directory.CreateDirectory(Path.Combine(glue, task));
        foreach (var file in Directory.GetFiles(Path.Combine(ShippedGlueData.Root, task)))
        {
            File.Copy(file, Path.Combine(glue, task, Path.GetFileName(file)));
        }

        return glue;
    }

    /// <summary>Writes an inline GLUE file, <c>Root/glue/&lt;folder&gt;/&lt;split&gt;.tsv</c>: a header and one row per line.</summary>
    public string WriteGlueFile(string folder, string split, params string[] lines)
    {
        var path = Path.Combine(Root, "glue", folder, split + ".tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
