using System.Diagnostics;
using System.Globalization;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using Tcd.Reports;
using TorchSharp;

namespace Tcd.Quickstart;

/// <summary>
/// The paper's experiment in miniature: teacher → MoE baseline → TCD student, each fine-tuned on MRPC, compared by
/// held-out masked-token log-likelihood and MRPC F1/accuracy.
/// </summary>
internal sealed class QuickstartRun(QuickstartSettings settings, TextWriter console)
{
    private const int ValidationSegments = 64;
    private readonly BertTextEncoder encoder = BertTextEncoder.CreateUncased();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public int Execute(CancellationToken cancellationToken)
    {
        try
        {
            TorchRuntime.EnsureAvailable();
            if (settings.Threads is { } threads)
            {
                torch.set_num_threads(threads);
            }

            Directory.CreateDirectory(settings.OutputDirectory);
            var (trainCorpus, validation) = SplitCorpus();
            var config = ModelConfig();
            Say($"Corpus {settings.Corpus}: {validation.Count} held-out segments. Model: {settings.Preset}, " +
                $"{config.CountParameters() / 1e6:F1} M parameters vanilla, {config.WithExperts(settings.Experts).CountParameters() / 1e6:F1} M with {settings.Experts} experts.");

            var teacher = Pretrain("teacher", config, PretrainingObjective.MaskedLanguageModel, null, trainCorpus, validation, cancellationToken);
            var moe = Pretrain("moe", config.WithExperts(settings.Experts), PretrainingObjective.MixtureOfExperts(), null, trainCorpus, validation, cancellationToken);
            var tcd = Pretrain("tcd", config.WithExperts(settings.Experts), PretrainingObjective.TransferCapabilityDistillation(), teacher.Model.Bert, trainCorpus, validation, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                Say("Cancelled; run again with the same --out to resume from the checkpoints.");
                return 130;
            }

            var (train, dev) = LoadMrpc();
            var rows = new List<(string Name, PretrainedModel Model, GlueTaskResult Mrpc)>();
            foreach (var (name, model) in new[] { ("Teacher (vanilla)", teacher), ("MoE", moe), ("TCD student (MoE)", tcd) })
            {
                rows.Add((name, model, FineTuneMrpc(name, model.Model, train, dev, cancellationToken)));
            }

            Report(rows);
            return 0;
        }
        catch (Exception ex) when (ex is TorchNativeLibraryException or FileNotFoundException or InvalidDataException or TrainingDivergedException)
        {
            console.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private BertConfig ModelConfig()
    {
        var preset = settings.Preset.ToLowerInvariant() switch
        {
            "tiny" => BertConfig.Tiny,
            "paper-small" => BertConfig.PaperSmall,
            _ => throw new InvalidDataException($"Unknown --preset '{settings.Preset}': use 'tiny' or 'paper-small'."),
        };
        return preset with { MaxPositions = Math.Max(preset.MaxPositions, settings.SequenceLength) };
    }

    /// <summary>All documents but the last train; the last document's first segments are the held-out set.</summary>
    private (TextCorpus Train, IReadOnlyList<EncodedText> Validation) SplitCorpus()
    {
        var documents = TextCorpus.FromFiles(settings.Corpus).ReadDocuments().Select(paragraphs => string.Join('\n', paragraphs)).ToList();
        if (documents.Count < 2)
        {
            throw new InvalidDataException($"'{settings.Corpus}' holds {documents.Count} document(s); the quickstart needs at least two (one is held out).");
        }

        var validation = new SegmentPacker(encoder, settings.SequenceLength)
            .Pack(TextCorpus.FromTexts([documents[^1]]))
            .Take(ValidationSegments)
            .ToList();
        return (TextCorpus.FromTexts(documents.Take(documents.Count - 1).ToList()), validation);
    }

    private PretrainedModel Pretrain(
        string name, BertConfig config, PretrainingObjective objective, BertModel? teacher, TextCorpus corpus, IReadOnlyList<EncodedText> validation, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(settings.OutputDirectory, name);
        var modelFolder = Path.Combine(folder, "model");
        var resultFile = Path.Combine(folder, "pretraining.txt");
        if (File.Exists(resultFile))
        {
            Say($"[{name}] already trained: loading {modelFolder}");
            return new PretrainedModel(BertModelStore.LoadMaskedLm(modelFolder), double.Parse(File.ReadAllText(resultFile), CultureInfo.InvariantCulture), Path.Combine(folder, "metrics.jsonl"));
        }

        // The MoE baseline and the TCD student start from the same weights, so only the objective differs.
        torch.manual_seed(settings.Seed + config.ExpertCount);
        var model = new BertForMaskedLm(config);
        var options = new PretrainingOptions
        {
            TotalSteps = settings.PretrainSteps,
            BatchSize = settings.BatchSize,
            MaxSequenceLength = settings.SequenceLength,
            LearningRate = settings.LearningRate,
            Seed = settings.Seed,
            Device = settings.Device,
            LogEvery = Math.Max(1, (int)(settings.PretrainSteps / 30)),
            CheckpointDirectory = Path.Combine(folder, "checkpoints"),
            CheckpointEvery = Math.Max(1, settings.PretrainSteps / 3),
            MetricsFile = Path.Combine(folder, "metrics.jsonl"),
            ShuffleBufferSize = 2_000,
        };
        Say($"[{name}] pre-training {options.TotalSteps} steps, objective {Describe(objective)}");
        var result = new Pretrainer(model, objective, options, encoder, teacher).Run(
            corpus, validation, new ConsoleProgress<PretrainingProgress>(row => Say($"[{name}] {row}")), cancellationToken);
        var logLikelihood = result.ValidationLogLikelihood ?? double.NaN;
        if (!result.Cancelled)
        {
            BertModelStore.Save(model, model.Config, modelFolder);
            File.WriteAllText(resultFile, logLikelihood.ToString("R", CultureInfo.InvariantCulture));
            Say($"[{name}] done: held-out masked-token log-likelihood {logLikelihood:F3}; saved {modelFolder}");
        }

        return new PretrainedModel(model, logLikelihood, options.MetricsFile);
    }

    private (List<FineTuningExample> Train, List<FineTuningExample> Dev) LoadMrpc()
    {
        var reader = new GlueReader(settings.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        List<FineTuningExample> Read(string split, int limit) => reader.Read(GlueTask.Mrpc, split)
            .Take(limit)
            .Select(e => new FineTuningExample(encoder.Encode(e.Text, e.TextPair, settings.SequenceLength * 2), e.Label!.Value))
            .ToList();
        var train = Read("train", settings.MaxTrainExamples);
        var dev = Read("dev", int.MaxValue);
        Say($"MRPC: {train.Count} training pairs, {dev.Count} dev pairs.");
        return (train, dev);
    }

    private GlueTaskResult FineTuneMrpc(string name, BertForMaskedLm pretrained, List<FineTuningExample> train, List<FineTuningExample> dev, CancellationToken cancellationToken)
    {
        torch.manual_seed(settings.Seed);
        var classifier = BertForSequenceClassification.FromPretrained(pretrained, GlueTask.Mrpc.OutputCount);
        var options = new FineTuningOptions
        {
            Epochs = settings.FineTuneEpochs,
            LearningRate = settings.FineTuneLearningRate,
            MaxSequenceLength = settings.SequenceLength * 2,
            Seed = settings.Seed,
            Device = settings.Device,
            LogEvery = 50,
        };
        var tuner = new FineTuner(classifier, options, encoder.SpecialTokenIds);
        Say($"[{name}] fine-tuning on MRPC: {options.Epochs} epochs, lr {options.LearningRate:G3}");
        tuner.Train(train, dev, (logits, labels) => Evaluate(logits, labels).Score, new ConsoleProgress<FineTuningProgress>(row => Say($"[{name}] {row}")), cancellationToken);
        var result = Evaluate(tuner.Predict(dev.Select(e => e.Input).ToList()), dev.Select(e => e.Target).ToList());
        Say($"[{name}] MRPC dev: F1 {result.Metrics[GlueMetric.F1]:F1}, accuracy {result.Metrics[GlueMetric.Accuracy]:F1}");
        return result;
    }

    private static GlueTaskResult Evaluate(float[][] logits, IReadOnlyList<float> labels)
    {
        var predictions = logits.Select(row => row[1] > row[0] ? 1 : 0).ToArray();
        return GlueMetrics.Evaluate(GlueTask.Mrpc, predictions, labels.Select(l => (int)l).ToArray());
    }

    private void Report(List<(string Name, PretrainedModel Model, GlueTaskResult Mrpc)> rows)
    {
        var table = new ResultsTable(["Params (M)", "Pre-training LL", "MRPC F1", "MRPC Acc.", "MRPC"]);
        table.SetColumnDecimals("Pre-training LL", 3);
        foreach (var (name, model, mrpc) in rows)
        {
            table.AddRow(name)
                .Set("Params (M)", model.Model.Config.CountParameters() / 1e6)
                .Set("Pre-training LL", model.LogLikelihood)
                .Set("MRPC F1", mrpc.Metrics[GlueMetric.F1])
                .Set("MRPC Acc.", mrpc.Metrics[GlueMetric.Accuracy])
                .Set("MRPC", mrpc.Score);
        }

        var output = settings.OutputDirectory;
        table.Write(Path.Combine(output, "results.md"));
        table.Write(Path.Combine(output, "results.csv"));
        table.Write(Path.Combine(output, "results.json"));
        LossCurveChart.WriteFromFiles(
            Path.Combine(output, "pretraining-mlm.png"),
            rows.Select(r => KeyValuePair.Create(r.Name, r.Model.MetricsFile)),
            "mlm",
            new LossCurveOptions { Title = "Masked-LM loss during pre-training", YLabel = "MLM loss", SmoothingWindow = 3 });
        ScoreBarChart.Write(
            Path.Combine(output, "mrpc-scores.png"),
            ["MRPC F1", "MRPC Acc.", "MRPC (avg)"],
            rows.Select(r => new ScoreSeries(r.Name, [r.Mrpc.Metrics[GlueMetric.F1], r.Mrpc.Metrics[GlueMetric.Accuracy], r.Mrpc.Score])).ToList(),
            new ScoreBarChartOptions { Title = "MRPC dev after fine-tuning", YLabel = "Score (%)" });

        console.WriteLine();
        console.WriteLine("Results (cf. the TCD paper, Table 1):");
        console.WriteLine(table.ToText());
        console.WriteLine($"Wrote {Path.Combine(output, "results.md")} (.csv, .json), pretraining-mlm.png and mrpc-scores.png in {output}; total time {clock.Elapsed:hh\\:mm\\:ss}.");
    }

    private static string Describe(PretrainingObjective objective) => objective switch
    {
        { NeedsTeacher: true } => FormattableString.Invariant($"TCD (λB={objective.LoadBalanceWeight}, λT={objective.TrunkWeight}, λI={objective.InnerWeight}, λA={objective.AttentionWeight})"),
        { LoadBalanceWeight: > 0 } => FormattableString.Invariant($"MLM + load balance (λB={objective.LoadBalanceWeight})"),
        _ => "MLM",
    };

    private void Say(string line) => console.WriteLine(FormattableString.Invariant($"{clock.Elapsed:hh\\:mm\\:ss} {line}"));

    private sealed record PretrainedModel(BertForMaskedLm Model, double LogLikelihood, string MetricsFile);
}
