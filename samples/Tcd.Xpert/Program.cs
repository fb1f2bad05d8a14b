using Tcd.Experiments.Glue;
using Tcd.Experiments.Xpert;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using Tcd.Models.Xpert;
using Tcd.Reports;
using Tcd.Xpert;
using TorchSharp;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(SampleOptions.Help);
    return 0;
}

TorchRuntime.EnsureAvailable();
if (options.Threads is { } threads)
{
    torch.set_num_threads(threads);
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// Every stage stops at a cancelled token; what was stopped is not reported as a result.
try
{
    const int SequenceLength = 64;
    const string XpertReportFileName = "xpert.json";
    var dataFolder = Path.Combine(AppContext.BaseDirectory, "data");
    var glueDirectory = options.GlueDirectory ?? Path.Combine(dataFolder, "glue");
    // The GLUE step comes last: a folder without the tasks' files must fail before minutes of pre-training, not after.
    if (new GlueReader(glueDirectory).MissingFineTuningFiles(options.GlueTasks.Select(GlueTask.FromName)) is [_, ..] missing)
    {
        Console.Error.WriteLine($"error: Option --glue: '{glueDirectory}' lacks {string.Join(", ", missing)} (the original GLUE layout: <Task>/train.tsv and its dev split).");
        return 2;
    }

    // A run folder (tcd distill --out) stands for the model in its model/ folder, as it does for tcd.
    var sourceFolder = options.SourceModel is { } given ? BertModelStore.FindModelFolder(given) ?? given : null;
    var output = Directory.CreateDirectory(options.OutputDirectory).FullName;
    // A loaded source speaks its own vocabulary (an imported model's vocab.txt), which every model here then shares.
    var encoder = sourceFolder is null ? BertTextEncoder.CreateUncased() : BertTextEncoder.ForModelFolder(sourceFolder);

    // The math domain is generated; it is written out so that it can be read like the other domains (and inspected).
    var mathFile = Path.Combine(output, "math.txt");
    File.WriteAllText(mathFile, string.Join("\n\n", MathCorpus.Generate(count: 600, seed: options.Seed)));
    var domains = new[]
    {
        KeyValuePair.Create("wiki", TextCorpus.FromFiles(Path.Combine(dataFolder, "enwiki-sample.txt"))),
        KeyValuePair.Create("wikitext", TextCorpus.FromFiles(Path.Combine(dataFolder, "wikitext-2-valid.tokens"))),
        KeyValuePair.Create("code", TextCorpus.FromFiles(Path.Combine(dataFolder, "code.txt"))),
        KeyValuePair.Create("math", TextCorpus.FromFiles(mathFile)),
    };

    // Training text takes one document from each domain in turn, so that a short run sees all four.
    var training = TextCorpus.FromTexts(Interleave(domains.Select(domain => domain.Value)));
    // Validation: WikiText segments far beyond what the short runs read.
    var validation = new SegmentPacker(encoder, SequenceLength).Pack(domains[1].Value).Skip(3000).Take(48).ToList();

    var sourceConfig = sourceFolder is null
        ? new BertConfig { NumLayers = 2, HiddenSize = 64, NumHeads = 2, IntermediateSize = 128, MaxPositions = 128, ExpertCount = options.Experts }
        : BertModelStore.LoadConfig(sourceFolder);
    var targetConfig = sourceConfig with
    {
        ExpertCount = 0, IntermediateSize = options.TargetIntermediate, HiddenSize = options.TargetHidden,
    };

    if (!sourceConfig.IsMoe)
    {
        throw new ArgumentException(
            $"--source '{sourceFolder}' is a dense model (no experts); XPERT mines the experts of a Mixture-of-Experts model: give a MoE-BERT " +
            "(tcd pretrain --experts N or tcd distill), or leave --source out to pre-train one.");
    }

    // Checked before the source is pre-trained or loaded: the Tucker ranks are the target's sizes, at most the source's.
    if (targetConfig.HiddenSize > sourceConfig.HiddenSize || targetConfig.IntermediateSize > sourceConfig.IntermediateSize
        || targetConfig.HiddenSize % targetConfig.NumHeads != 0)
    {
        throw new ArgumentException(
            $"--target-hidden {targetConfig.HiddenSize} and --target-ff {targetConfig.IntermediateSize} must be at most the source's {sourceConfig.HiddenSize} and " +
            $"{sourceConfig.IntermediateSize}, and --target-hidden divisible by the {targetConfig.NumHeads} attention heads.");
    }

    // 1. The MoE source.
    BertForMaskedLm source;
    if (sourceFolder is not null)
    {
        source = BertModelStore.LoadMaskedLm(sourceFolder);
        Console.WriteLine($"Loaded the MoE source from {sourceFolder}.");
    }
    else
    {
        Console.WriteLine($"Pre-training a MoE-BERT ({options.Experts} experts, H=64, d_ff=128, 2 layers) for {options.Steps} steps...");
        torch.manual_seed(options.Seed);
        source = new BertForMaskedLm(sourceConfig);
        Pretrain(source, PretrainingObjective.MixtureOfExperts(), "moe-source");
        BertModelStore.Save(source, sourceConfig, Path.Combine(output, "moe-source", "model"));
    }

    // 2-4. Analysis, selection, decomposition, dense initialisation.
    var pipelineOptions = new XpertPipelineOptions
    {
        Activation = new ExpertActivationOptions { BatchSize = 16, MaxSequenceLength = SequenceLength, MaxSegmentsPerDomain = 64, Device = options.Device },
        Selection = new CommonExpertSelectionOptions { TopK = options.TopK },
        ExpertRank = options.ExpertRank,
        Tucker = new TuckerOptions { MaxIterations = 25 },
        Seed = options.Seed,
    };
    Console.WriteLine("Analysing expert activations, selecting common experts and decomposing them...");
    using var xpert = new XpertPipeline(encoder, pipelineOptions).Run(source, domains, targetConfig, cancellationToken: cancellation.Token);
    var table = xpert.Activations;
    ExpertActivationReport.Write(table, output);

    foreach (var layer in xpert.Decompositions)
    {
        Console.WriteLine($"  {layer}");
    }

    // 5. XPERT-initialised against scratch: same seed, so only the FFNs differ at step 0.
    using var xpertModel = xpert.Model;
    torch.manual_seed(options.Seed);
    using var scratch = new BertForMaskedLm(targetConfig);
    Console.WriteLine($"Pre-training the dense model (H={targetConfig.HiddenSize}, d_ff={targetConfig.IntermediateSize}) from XPERT and from scratch...");
    var xpertResult = Pretrain(xpertModel, PretrainingObjective.MaskedLanguageModel, "xpert");
    var scratchResult = Pretrain(scratch, PretrainingObjective.MaskedLanguageModel, "scratch");

    LossCurveChart.WriteFromFiles(
        Path.Combine(output, "loss-curves.png"),
        [KeyValuePair.Create("XPERT init", MetricsPath("xpert")), KeyValuePair.Create("scratch", MetricsPath("scratch"))],
        "mlm",
        new LossCurveOptions { Title = "Dense BERT pre-training: XPERT initialisation vs scratch", YLabel = "MLM loss", SmoothingWindow = 10 });
    var results = new ResultsTable(["final MLM loss", "validation log-likelihood"]) { Decimals = 4 };
    foreach (var (name, result) in new[] { ("XPERT init", xpertResult), ("scratch", scratchResult) })
    {
        results.AddRow(name)
            .Set("final MLM loss", result.LastLosses["mlm"])
            .Set("validation log-likelihood", result.ValidationLogLikelihood ?? double.NaN);
    }

    results.WriteMarkdown(Path.Combine(output, "results.md"));
    Console.WriteLine(results.ToText());
    List<GlueSuiteModel> models = [SaveDense("XPERT init", "xpert", xpertModel, xpertResult), SaveDense("scratch", "scratch", scratch, scratchResult)];
    XpertRunReport.Write(Path.Combine(output, XpertReportFileName), xpert, options.SourceModel ?? Path.Combine(output, "moe-source", "model"), models[0].Folder);

    // 6. Both dense models fine-tuned on GLUE under one protocol: the downstream half of the comparison.
    var glueFiles = "";
    if (options.GlueTasks.Count > 0)
    {
        Console.WriteLine($"Fine-tuning both on {string.Join(", ", options.GlueTasks)} ({UserMessages.Count(options.FineTuneEpochs, "epoch")}, lr {options.FineTuneLearningRate:G3}, " +
                          $"{(options.MaxTrainExamples is { } cap ? $"at most {cap}" : "all")} training examples per task, {UserMessages.Count(options.FineTuneSeeds, "seed")})...");
        var suite = new GlueSuite(
            new GlueSuiteOptions
            {
                Models = models,
                GlueDirectory = glueDirectory,
                Tasks = options.GlueTasks,
                OutputDirectory = Path.Combine(output, "glue"),
                Grid = new GlueSuiteGrid { FullLearningRates = [options.FineTuneLearningRate], AdapterLearningRates = [] },
                Seeds = Enumerable.Range(0, options.FineTuneSeeds).Select(offset => (long)options.Seed + offset).ToList(),
                Epochs = options.FineTuneEpochs,
                MaxTrainExamples = options.MaxTrainExamples,
                Device = options.Device,
            },
            encoder,
            note => Console.WriteLine("  note: " + note));
        var glue = suite.Run(new SynchronousProgress<GlueSuiteProgress>(report =>
        {
            if (report.Epoch == 0)
            {
                Console.WriteLine($"  {report}");
            }
        }), cancellation.Token);
        Console.WriteLine();
        Console.Write(glue.Table.ToMarkdown());
        glueFiles = ", glue/results.md (.csv, .json) and glue/charts/";
    }

    Console.WriteLine($"Wrote heatmaps, expert-frequencies.csv/.json, {XpertReportFileName}, loss-curves.png, results.md, xpert/model, scratch/model{glueFiles} to {output}");
    return 0;

    // The dense model's folder as the GLUE suite reads it, with its held-out log-likelihood for the table.
    GlueSuiteModel SaveDense(string name, string folder, BertForMaskedLm model, PretrainingResult result)
    {
        var modelFolder = Path.Combine(output, folder, "model");
        BertModelStore.Save(model, model.Config, modelFolder);
        // The source's vocabulary goes with the model, so tcd and LoadPretrained read it as it was trained.
        encoder.SaveTokenizerFiles(modelFolder);
        if (result.ValidationLogLikelihood is { } logLikelihood)
        {
            GlueSuiteModel.WritePretrainingLogLikelihood(modelFolder, logLikelihood);
        }

        return new GlueSuiteModel(name, modelFolder);
    }

    PretrainingResult Pretrain(BertForMaskedLm model, PretrainingObjective objective, string name)
    {
        var pretrainingOptions = new PretrainingOptions
        {
            TotalSteps = options.Steps,
            BatchSize = 16,
            MaxSequenceLength = SequenceLength,
            LearningRate = 1e-3,
            WarmupSteps = Math.Max(1, options.Steps / 10),
            LogEvery = 1,
            ShuffleBufferSize = 256,
            Seed = options.Seed,
            Device = options.Device,
            MetricsFile = MetricsPath(name),
            Resume = false,
        };
        var report = Math.Max(1, options.Steps / 5);
        var progress = new SynchronousProgress<PretrainingProgress>(row =>
        {
            if (row.Step % report == 0)
            {
                Console.WriteLine($"  [{name}] {row}");
            }
        });
        Directory.CreateDirectory(Path.Combine(output, name));
        var result = new Pretrainer(model, objective, pretrainingOptions, encoder).Run(training, validation, progress, cancellation.Token);
        if (result.Cancelled)
        {
            throw new OperationCanceledException(cancellation.Token);
        }

        model.eval();
        return result;
    }

    string MetricsPath(string name) => Path.Combine(output, name, "metrics.jsonl");
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or GlueFormatException)
{
    Console.Error.WriteLine("error: " + UserMessages.Readable(ex));
    return 1;
}

static IEnumerable<string> Interleave(IEnumerable<TextCorpus> corpora)
{
    var readers = corpora.Select(corpus => corpus.ReadDocuments().GetEnumerator()).ToList();
    try
    {
        var active = readers.ToList();
        while (active.Count > 0)
        {
            foreach (var reader in active.ToList())
            {
                if (reader.MoveNext())
                {
                    yield return string.Join('\n', reader.Current);
                }
                else
                {
                    active.Remove(reader);
                }
            }
        }
    }
    finally
    {
        readers.ForEach(reader => reader.Dispose());
    }
}
