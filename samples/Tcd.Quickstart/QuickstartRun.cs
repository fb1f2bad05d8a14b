using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
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
/// held-out masked-token log-likelihood and MRPC F1/accuracy — every model step through <c>mlContext.Tcd()</c>.
/// </summary>
internal sealed class QuickstartRun(QuickstartSettings settings, TextWriter console)
{
    private readonly MLContext mlContext = new(seed: (int)settings.Seed);
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public int Execute(CancellationToken cancellationToken)
    {
        try
        {
            TorchRuntime.EnsureAvailable();
            torch.set_num_threads(settings.Threads);

            Directory.CreateDirectory(settings.OutputDirectory);
            var (trainCorpus, validation) = SplitCorpus();
            var config = ModelConfig();
            Say($"Corpus {settings.Corpus}: {trainCorpus.GetRowCount()} training documents, 1 held out. Model: {settings.Preset}, " +
                $"{config.CountParameters() / 1e6:F1} M parameters vanilla, {config.WithExperts(settings.Experts).CountParameters() / 1e6:F1} M with {settings.Experts} experts.");

            var tcd = mlContext.Tcd();
            var teacher = Pretrain("teacher", PretrainingOptions<BertPretrainingOptions>(config), options => tcd.PretrainTeacher(options), trainCorpus, validation, cancellationToken);
            var moe = Pretrain("moe", PretrainingOptions<MoePretrainingOptions>(config), options => tcd.PretrainMoe(options), trainCorpus, validation, cancellationToken);
            var student = Pretrain("tcd", PretrainingOptions<DistillationOptions>(config), options => tcd.Distill(teacher.Model, options), trainCorpus, validation, cancellationToken);

            var (train, dev) = LoadMrpc();
            var rows = new List<(string Name, PretrainedModel Model, GlueTaskResult Mrpc)>();
            foreach (var (name, model) in new[] { ("Teacher (vanilla)", teacher), ("MoE", moe), ("TCD student (MoE)", student) })
            {
                rows.Add((name, model, FineTuneMrpc(name, model.Model, train, dev, cancellationToken)));
            }

            Report(rows);
            return 0;
        }
        catch (OperationCanceledException)
        {
            Say("Cancelled; run the same command again: finished pre-training runs are reused, an interrupted one resumes from its checkpoint.");
            return 130;
        }
        catch (Exception ex) when (ex is TorchNativeLibraryException or FileNotFoundException or InvalidDataException or TrainingDivergedException or InvalidOperationException)
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

    /// <summary>All documents but the last train; the last document is the held-out set (one row per document).</summary>
    private (IDataView Train, IDataView Validation) SplitCorpus()
    {
        var documents = TextCorpus.FromFiles(settings.Corpus).ReadDocuments().Select(paragraphs => new Document { Text = string.Join('\n', paragraphs) }).ToList();
        if (documents.Count < 2)
        {
            throw new InvalidDataException($"'{settings.Corpus}' holds {documents.Count} document(s); the quickstart needs at least two (one is held out).");
        }

        return (mlContext.Data.LoadFromEnumerable(documents[..^1]), mlContext.Data.LoadFromEnumerable(documents[^1..]));
    }

    /// <summary>The options shared by the three runs; the MoE baseline and the TCD student start from the same weights (same seed), so only the objective differs.</summary>
    private T PretrainingOptions<T>(BertConfig config) where T : BertPretrainingOptions, new()
    {
        var options = new T
        {
            Model = config,
            Training = new PretrainingOptions
            {
                TotalSteps = settings.PretrainSteps,
                BatchSize = settings.BatchSize,
                MaxSequenceLength = settings.SequenceLength,
                LearningRate = settings.LearningRate,
                Seed = settings.Seed,
                Device = settings.Device,
                LogEvery = Math.Max(1, (int)(settings.PretrainSteps / 30)),
                CheckpointEvery = Math.Max(1, settings.PretrainSteps / 3),
                ShuffleBufferSize = 2_000,
            },
        };
        if (options is MoePretrainingOptions moe)
        {
            moe.ExpertCount = settings.Experts;
        }

        return options;
    }

    private PretrainedModel Pretrain<T>(
        string name, T options, Func<T, BertPretrainingEstimator> estimator, IDataView corpus, IDataView validation, CancellationToken cancellationToken)
        where T : BertPretrainingOptions
    {
        var folder = Path.Combine(settings.OutputDirectory, name);
        var modelFolder = Path.Combine(folder, "model");
        var resultFile = Path.Combine(folder, "pretraining.txt");
        var metricsFile = Path.Combine(folder, "metrics.jsonl");
        if (File.Exists(resultFile))
        {
            Say($"[{name}] already trained: loading {modelFolder}");
            return new PretrainedModel(mlContext.Tcd().LoadPretrained(modelFolder), double.Parse(File.ReadAllText(resultFile), CultureInfo.InvariantCulture), metricsFile);
        }

        // A stopped run must not start the next one (which would write a fresh checkpoint) nor report anything.
        cancellationToken.ThrowIfCancellationRequested();
        options.Training = options.Training with { CheckpointDirectory = Path.Combine(folder, "checkpoints"), MetricsFile = metricsFile };
        options.ValidationData = validation;
        options.Progress = new SynchronousProgress<PretrainingProgress>(row => Say($"[{name}] {row}"));
        options.CancellationToken = cancellationToken;
        var run = estimator(options);
        Say($"[{name}] pre-training {options.Training.TotalSteps} steps, objective {Describe(run.Objective)}");
        var model = run.Fit(corpus);
        var result = model.PretrainingResult!;
        if (result.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        var logLikelihood = result.ValidationLogLikelihood ?? double.NaN;
        BertModelStore.Save(model.Model, model.Config, modelFolder);
        File.WriteAllText(resultFile, logLikelihood.ToString("R", CultureInfo.InvariantCulture));
        Say($"[{name}] done: held-out masked-token log-likelihood {logLikelihood:F3}; saved {modelFolder}");
        return new PretrainedModel(model, logLikelihood, metricsFile);
    }

    private (IDataView Train, IDataView Dev) LoadMrpc()
    {
        var reader = new GlueReader(settings.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        IDataView Read(string split, int limit) => mlContext.Data.LoadFromEnumerable(reader.Read(GlueTask.Mrpc, split)
            .Take(limit)
            .Select(e => new SentencePair { Sentence1 = e.Text, Sentence2 = e.TextPair ?? string.Empty, Label = e.Label == 1 })
            .ToList());
        var train = Read("train", settings.MaxTrainExamples);
        var dev = Read("dev", int.MaxValue);
        Say($"MRPC: {train.GetRowCount()} training pairs, {dev.GetRowCount()} dev pairs.");
        return (train, dev);
    }

    private GlueTaskResult FineTuneMrpc(string name, PretrainedBertTransformer pretrained, IDataView train, IDataView dev, CancellationToken cancellationToken)
    {
        var options = new BertFineTuningOptions
        {
            PairColumnName = nameof(SentencePair.Sentence2),
            TextColumnName = nameof(SentencePair.Sentence1),
            Training = new FineTuningOptions
            {
                Epochs = settings.FineTuneEpochs,
                LearningRate = settings.FineTuneLearningRate,
                MaxSequenceLength = settings.SequenceLength * 2,
                Seed = settings.Seed,
                Device = settings.Device,
                LogEvery = 50,
            },
            ValidationData = dev,
            ValidationScore = (logits, labels) => Evaluate(logits.Select(row => row[1] > row[0] ? 1 : 0), labels.Select(label => (int)label)).Score,
            Progress = new SynchronousProgress<FineTuningProgress>(row => Say($"[{name}] {row}")),
            CancellationToken = cancellationToken,
        };
        Say($"[{name}] fine-tuning on MRPC: {options.Training.Epochs} epochs, lr {options.Training.LearningRate:G3}");
        var classifier = mlContext.Tcd().SentencePairClassifier(pretrained, options).Fit(train);
        // A fine-tuning stopped part-way returns its best epoch so far; its score must not reach the table.
        cancellationToken.ThrowIfCancellationRequested();
        var scored = classifier.Transform(dev);
        var metrics = mlContext.BinaryClassification.Evaluate(scored);
        var result = Evaluate(scored.GetColumn<bool>("PredictedLabel").Select(p => p ? 1 : 0), scored.GetColumn<bool>("Label").Select(l => l ? 1 : 0));
        Say($"[{name}] MRPC dev: F1 {result.Metrics[GlueMetric.F1]:F1}, accuracy {result.Metrics[GlueMetric.Accuracy]:F1} (ML.NET: accuracy {metrics.Accuracy:P1}, F1 {metrics.F1Score:F3}, AUC {metrics.AreaUnderRocCurve:F3})");
        return result;
    }

    private static GlueTaskResult Evaluate(IEnumerable<int> predictions, IEnumerable<int> labels) =>
        GlueMetrics.Evaluate(GlueTask.Mrpc, predictions.ToArray(), labels.ToArray());

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

    private sealed record PretrainedModel(PretrainedBertTransformer Model, double LogLikelihood, string MetricsFile);

    private sealed class Document
    {
        public string Text { get; set; } = string.Empty;
    }

    private sealed class SentencePair
    {
        public string Sentence1 { get; set; } = string.Empty;

        public string Sentence2 { get; set; } = string.Empty;

        public bool Label { get; set; }
    }
}
