using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Experiments.Glue;
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
/// The paper's experiment in miniature: teacher → MoE baseline → TCD student, each fine-tuned on MRPC and SST-2,
/// compared by held-out masked-token log-likelihood and dev scores — every model step through <c>mlContext.Tcd()</c>.
/// </summary>
internal sealed class QuickstartRun(QuickstartSettings settings, TextWriter console, TextWriter errors)
{
    /// <summary>A sentence-pair and a single-sentence task, both binary, so one classifier head and one score rule serve both.</summary>
    private static readonly GlueTask[] FineTuningTasks = [GlueTask.Mrpc, GlueTask.Sst2];

    // Each pre-training run by its folder name under --out, and whether its model has experts (--experts shapes it).
    private static readonly (string Name, bool HasExperts) TeacherRun = ("teacher", false), MoeRun = ("moe", true), TcdRun = ("tcd", true);
    private static readonly (string Name, bool HasExperts)[] PretrainingRuns = [TeacherRun, MoeRun, TcdRun];

    private readonly MLContext mlContext = new(seed: (int)settings.Seed);
    private readonly Stopwatch clock = Stopwatch.StartNew();

    // Every run folder records and compares the same options, whose corpus entry is a hash of the corpus: made once.
    private JsonObject? pretrainingRecord;

    public int Execute(CancellationToken cancellationToken)
    {
        try
        {
            TorchRuntime.EnsureAvailable();
            settings.Validate(FineTuningTasks);
            // The whole --out, before its runs are read: a second quickstart given it would resume and overwrite them
            // under this one. Each run's checkpoint folder in it is locked again, on its own, by the training it serves.
            using var outputLock = FolderLock.Acquire(settings.OutputDirectory, "quickstart folder", "give another --out");
            RequireSameOptionsAsBefore();
            torch.set_num_threads(settings.Threads);

            // Read before pre-training, so that a GLUE file that cannot be read stops the run at once.
            var tasks = FineTuningTasks.Select(LoadTask).ToList();
            var (trainCorpus, validation) = SplitCorpus();
            Directory.CreateDirectory(settings.OutputDirectory);
            var config = ModelConfig();
            Say($"Corpus {settings.Corpus}: {trainCorpus.GetRowCount()} training documents, 1 held out. Model: {settings.Preset}, " +
                $"{config.CountParameters() / 1e6:F1} M parameters vanilla, {config.WithExperts(settings.Experts).CountParameters() / 1e6:F1} M with {settings.Experts} experts. " +
                $"Running on {TorchRuntime.DescribeDevice(settings.Device, settings.Threads, "--device")}.");

            var tcd = mlContext.Tcd();
            var teacher = Pretrain(TeacherRun, PretrainingOptions<BertPretrainingOptions>(config), options => tcd.PretrainTeacher(options), trainCorpus, validation, cancellationToken);
            var moe = Pretrain(MoeRun, PretrainingOptions<MoePretrainingOptions>(config), options => tcd.PretrainMoe(options), trainCorpus, validation, cancellationToken);
            var student = Pretrain(TcdRun, PretrainingOptions<DistillationOptions>(config), options => tcd.Distill(teacher.Model, options), trainCorpus, validation, cancellationToken);

            var rows = new List<ModelResults>();
            foreach (var (name, model) in new[] { ("Teacher (vanilla)", teacher), ("MoE", moe), ("TCD student (MoE)", student) })
            {
                rows.Add(new ModelResults(name, model, tasks.Select(task => FineTune(name, model, task, cancellationToken)).ToList()));
            }

            Report(rows);
            return 0;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("Cancelled; run the same command again: finished pre-training runs and fine-tunings are reused, an interrupted one resumes from its checkpoint.");
            return 130;
        }
        catch (QuickstartUsageException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is TorchNativeLibraryException or IOException or InvalidDataException or GlueFormatException or TrainingDivergedException or InvalidOperationException)
        {
            errors.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private QuickstartRunFolder RunFolder((string Name, bool HasExperts) run) => new(settings.OutputDirectory, run.Name);

    /// <summary>The options that shape a run's model: <see cref="QuickstartSettings.PretrainingRecord"/>, without --experts for a model without experts.</summary>
    private JsonObject PretrainingRecord(bool withExperts)
    {
        var record = (pretrainingRecord ??= settings.PretrainingRecord()).DeepClone().AsObject();
        if (!withExperts)
        {
            record.Remove(QuickstartSettings.ExpertsOption);
        }

        return record;
    }

    /// <summary>
    /// Refuses to go on when a run folder under --out holds a model or checkpoint pre-trained with other options: it
    /// would be reused (or resumed) as if it were the model these options ask for.
    /// </summary>
    private void RequireSameOptionsAsBefore()
    {
        var conflicts = (from run in PretrainingRuns
                         let folder = RunFolder(run)
                         let differences = folder.DifferencesFrom(PretrainingRecord(run.HasExperts))
                         where differences.Count > 0
                         select (Folder: folder, Differences: differences)).ToList();
        if (conflicts.Count > 0)
        {
            // In the order of the options, each once (the runs share most of them).
            var order = PretrainingRecord(withExperts: true).Select(option => option.Key).ToList();
            var differences = conflicts.SelectMany(run => run.Differences).OrderBy(difference => order.IndexOf(difference.Option))
                .Select(difference => difference.Description).Distinct(StringComparer.Ordinal);
            var folders = string.Join(", ", conflicts.Select(run => $"'{run.Folder.Folder}'"));
            throw new QuickstartUsageException(
                $"--out '{settings.OutputDirectory}' holds pre-training runs ({string.Join(", ", conflicts.Select(run => run.Folder.Name))}) started with other options: " +
                $"{string.Join(", ", differences)}. Give those options as before to reuse or resume them, choose another --out for a new run, " +
                $"or delete {folders} to pre-train again.");
        }
    }

    private BertConfig ModelConfig()
    {
        var preset = QuickstartSettings.Presets[settings.Preset];
        return preset with { MaxPositions = Math.Max(preset.MaxPositions, settings.SequenceLength) };
    }

    /// <summary>All documents but the last train; the last document is the held-out set (one row per document).</summary>
    private (IDataView Train, IDataView Validation) SplitCorpus()
    {
        var documents = TextCorpus.FromFiles(settings.Corpus).ReadDocuments().Select(paragraphs => new Document { Text = string.Join('\n', paragraphs) }).ToList();
        if (documents.Count < 2)
        {
            throw new QuickstartUsageException($"--corpus '{settings.Corpus}' holds {documents.Count} document(s); the quickstart needs at least two (one is held out).");
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
        (string Name, bool HasExperts) run, T options, Func<T, BertPretrainingEstimator> estimator, IDataView corpus, IDataView validation, CancellationToken cancellationToken)
        where T : BertPretrainingOptions
    {
        var name = run.Name;
        var folder = RunFolder(run);
        if (folder.HasModel)
        {
            var stored = folder.LogLikelihood();
            Say($"[{name}] already trained: loading {folder.ModelFolder}{(stored is null ? " (it has no held-out log-likelihood)" : string.Empty)}" +
                (folder.HasOptions ? string.Empty : "; an earlier quickstart trained it without recording its options, so they are not checked"));
            return new PretrainedModel(mlContext.Tcd().LoadPretrained(folder.ModelFolder), stored, folder);
        }

        // A stopped run must not start the next one (which would write a fresh checkpoint) nor report anything.
        cancellationToken.ThrowIfCancellationRequested();
        options.Training = options.Training with { CheckpointDirectory = folder.CheckpointFolder, MetricsFile = folder.MetricsFile };
        options.ValidationData = validation;
        options.Progress = new SynchronousProgress<PretrainingProgress>(row => Say($"[{name}] {row}"));
        options.CancellationToken = cancellationToken;
        var pretraining = estimator(options);
        var total = options.Training.TotalSteps;
        var resumeFrom = folder.LatestCheckpoint();
        if (resumeFrom is null)
        {
            // Before the first checkpoint, so that a later run with other options finds what this one was started with. A
            // resumed run's record was checked already (one an older quickstart started has none: its options are unknown).
            folder.RecordOptions(PretrainingRecord(run.HasExperts));
        }

        Say(resumeFrom switch
        {
            null => $"[{name}] pre-training {total} steps, objective {Describe(pretraining.Objective)}",
            var (path, step) when step >= total => $"[{name}] its checkpoint {path} has reached step {step} of {total} already: taking it as the model",
            var (path, step) => $"[{name}] resuming pre-training at step {step} of {total} from {path}, objective {Describe(pretraining.Objective)}",
        });
        PretrainedBertTransformer model;
        try
        {
            model = pretraining.Fit(corpus);
        }
        catch (OperationCanceledException)
        {
            SayStopped($"[{name}]", folder.LatestCheckpoint(), $" of {total}");
            throw;
        }

        var logLikelihood = model.PretrainingResult!.ValidationLogLikelihood;
        folder.SaveModel(model, logLikelihood);
        Say(logLikelihood is { } heldOut
            ? $"[{name}] done: held-out masked-token log-likelihood {heldOut:F3}; saved {folder.ModelFolder}"
            : $"[{name}] done without a held-out log-likelihood (its checkpoint had reached the last step without one); saved {folder.ModelFolder}");
        return new PretrainedModel(model, logLikelihood, folder);
    }

    private TaskData LoadTask(GlueTask task)
    {
        var reader = new GlueReader(settings.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        IDataView Read(string split, int? maxRows) => mlContext.Data.LoadFromEnumerable(TrainingSample.Draw(reader.Read(task, split).ToList(), maxRows)
            .Select(e => new GlueRow { Text = e.Text, Pair = e.TextPair ?? string.Empty, Label = e.Label == 1 })
            .ToList());
        var data = new TaskData(
            task, Read(QuickstartSettings.TrainSplit, settings.MaxTrainExamples), Read(QuickstartSettings.DevSplit, maxRows: null), settings.GlueFilesIdentity(task));
        var unit = task.IsSentencePair ? "pairs" : "sentences";
        Say($"{task}: {data.Train.GetRowCount()} training {unit}, {data.Dev.GetRowCount()} dev {unit}.");
        return data;
    }

    /// <summary>
    /// Fine-tunes <paramref name="pretrained"/> on a task and scores it on dev, or returns the scores of an earlier invocation
    /// that fine-tuned the same model with the same options; an interrupted fine-tuning resumes from its checkpoint.
    /// </summary>
    private QuickstartTaskResult FineTune(string name, PretrainedModel pretrained, TaskData data, CancellationToken cancellationToken)
    {
        var label = $"[{name}] {data.Task}";
        var folder = new QuickstartFineTuningFolder(pretrained.Folder, data.Task);
        var differences = folder.Prepare(settings.FineTuningRecord(pretrained.Fingerprint, data.FilesIdentity));
        if (differences.Count > 0)
        {
            var described = differences.Select(difference => difference.Option switch
            {
                QuickstartSettings.ModelOption => "another version of the pre-trained model",
                QuickstartSettings.GlueOption => "other GLUE files",
                _ => difference.Description,
            });
            Say($"{label}: fine-tuned before with {string.Join(", ", described)}; fine-tuning again");
        }

        if (folder.StoredResult() is { } stored)
        {
            Say($"{label} already fine-tuned: dev {Describe(stored)}");
            return stored;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var model = pretrained.Model;
        var options = new BertFineTuningOptions
        {
            TextColumnName = nameof(GlueRow.Text),
            PairColumnName = data.Task.IsSentencePair ? nameof(GlueRow.Pair) : null,
            Training = new FineTuningOptions
            {
                Epochs = settings.FineTuneEpochs,
                LearningRate = settings.FineTuneLearningRate,
                MaxSequenceLength = settings.FineTuningSequenceLength(model.Config),
                Seed = settings.Seed,
                Device = settings.Device,
                LogEvery = 50,
                CheckpointDirectory = folder.CheckpointFolder,
                KeepCheckpointsWhenDone = true,
                MetricsFile = folder.MetricsFile,
            },
            ValidationData = data.Dev,
            ValidationScore = (logits, labels) => GlueMetrics.EvaluateOutputs(data.Task, logits, labels).Score,
            Progress = new SynchronousProgress<FineTuningProgress>(row => Say($"{label} {row}")),
            CancellationToken = cancellationToken,
        };
        var tcd = mlContext.Tcd();
        var estimator = data.Task.IsSentencePair ? tcd.SentencePairClassifier(model, options) : tcd.TextClassifier(model, options);
        var schedule = $"{UserMessages.Count(options.Training.Epochs, "epoch")}, lr {options.Training.LearningRate:G3}";
        Say(folder.LatestCheckpoint() is { } checkpoint
            ? $"[{name}] resuming fine-tuning on {data.Task} at step {checkpoint.Step} from {checkpoint.Path} ({schedule})"
            : $"[{name}] fine-tuning on {data.Task}: {schedule}");
        FineTunedBertTransformer classifier;
        try
        {
            classifier = CheckpointFallback.TrainDroppingUnusableCheckpoints(folder.CheckpointFolder, () => estimator.Fit(data.Train), note => Say($"{label}: {note}"));
        }
        catch (OperationCanceledException)
        {
            SayStopped(label, folder.LatestCheckpoint(), string.Empty);
            throw;
        }

        var scored = classifier.Transform(data.Dev);
        var metrics = mlContext.BinaryClassification.Evaluate(scored);
        var predictions = scored.GetColumn<bool>("PredictedLabel").Select(p => p ? 1 : 0).ToArray();
        var labels = scored.GetColumn<bool>("Label").Select(l => l ? 1 : 0).ToArray();
        var result = new QuickstartTaskResult(GlueMetrics.Evaluate(data.Task, predictions, labels), GlueOneAnswer.Describe(data.Task, predictions));
        folder.SaveResult(result);
        // Kept until now, so that a run stopped while it scored the model resumes at its last step instead of fine-tuning again.
        folder.DeleteCheckpoints();
        Say($"{label} dev: {Describe(result)} (ML.NET: accuracy {metrics.Accuracy:P1}, F1 {metrics.F1Score:F3}, AUC {metrics.AreaUnderRocCurve:F3})");
        return result;
    }

    /// <summary>
    /// The result's metrics in one line, e.g. <c>F1 81.2, accuracy 68.4</c>, and its one answer when it gave one, e.g.
    /// <c>F1 81.2, accuracy 68.4; every dev prediction is the class '1'</c>.
    /// </summary>
    private static string Describe(QuickstartTaskResult result) =>
        string.Join(", ", result.Scores.Metrics.Select(metric => FormattableString.Invariant($"{GlueMetrics.DisplayName(metric.Key)} {metric.Value:F1}")))
        + (result.OneAnswer is { } oneAnswer ? $"; every dev prediction is {oneAnswer}" : string.Empty);

    /// <summary>Reports a stopped run: the checkpoint it saved (<paramref name="ofTotal"/> follows its step), or that it saved none.</summary>
    private void SayStopped(string label, (string Path, long Step)? saved, string ofTotal) =>
        Say(saved is { } checkpoint
            ? $"{label} stopped; checkpoint of step {checkpoint.Step}{ofTotal} saved in {checkpoint.Path}"
            : $"{label} stopped before its first step; nothing to resume");

    /// <summary>The table's column of one metric of one task, e.g. "MRPC F1" or "SST-2 Acc.".</summary>
    private static string ScoreColumn(GlueTask task, GlueMetric metric) =>
        $"{task} {(metric == GlueMetric.Accuracy ? "Acc." : metric.ToString())}";

    private void Report(List<ModelResults> rows)
    {
        const string average = "Avg.";
        var scoreColumns = FineTuningTasks.SelectMany(task => task.Metrics.Select(metric => ScoreColumn(task, metric))).ToList();
        var table = new ResultsTable(["Params (M)", "Pre-training LL", .. scoreColumns, average]);
        table.SetColumnDecimals("Pre-training LL", 3);
        foreach (var (name, model, results) in rows)
        {
            var row = table.AddRow(name)
                .Set("Params (M)", model.Model.Config.CountParameters() / 1e6)
                .Set(average, GlueMetrics.GlueScore(results.Select(result => result.Scores)));
            if (model.LogLikelihood is { } logLikelihood)
            {
                // No score (a model trained without one) leaves the cell empty.
                row.Set("Pre-training LL", logLikelihood);
            }

            // The marked cell names the model and the task, so the note says only what was answered: every cell with the
            // same answer (a tiny run's models and tasks alike) shares one note and its number.
            var notes = results.Select(result => result.OneAnswer is { } oneAnswer
                ? GlueOneAnswer.Note(oneAnswer, "more --finetune-epochs or a higher --finetune-lr may help.")
                : null).ToList();
            foreach (var (task, result, note) in FineTuningTasks.Zip(results, notes))
            {
                foreach (var (metric, value) in result.Scores.Metrics)
                {
                    row.Set(ScoreColumn(task, metric), value);
                    if (note is not null)
                    {
                        table.AddNote(name, ScoreColumn(task, metric), note);
                    }
                }
            }

            if (GlueOneAnswer.AverageNote(notes) is { } averageNote)
            {
                table.AddNote(name, average, averageNote);
            }
        }

        var output = settings.OutputDirectory;
        table.Write(Path.Combine(output, "results.md"));
        table.Write(Path.Combine(output, "results.csv"));
        table.Write(Path.Combine(output, "results.json"));
        LossCurveChart.WriteFromFiles(
            Path.Combine(output, "pretraining-mlm.png"),
            rows.Select(r => KeyValuePair.Create(r.Name, r.Model.Folder.MetricsFile)),
            "mlm",
            new LossCurveOptions { Title = "Masked-LM loss during pre-training", YLabel = "MLM loss", SmoothingWindow = 3 });
        ScoreBarChart.Write(
            Path.Combine(output, "glue-scores.png"),
            [.. FineTuningTasks.Select(task => task.Name), average],
            rows.Select(r => new ScoreSeries(
                r.Name,
                [.. r.Results.Select(result => result.Scores.Score), GlueMetrics.GlueScore(r.Results.Select(result => result.Scores))],
                oneAnswer: [.. r.Results.Select(result => result.OneAnswer is not null), r.Results.All(result => result.OneAnswer is not null)])).ToList(),
            new ScoreBarChartOptions { Title = "GLUE dev scores after fine-tuning (MRPC: mean of F1 and accuracy)", YLabel = "Score (%)" });

        console.WriteLine();
        console.WriteLine("Results (cf. the TCD paper, Table 1):");
        console.WriteLine(table.ToText());
        console.WriteLine($"Wrote {Path.Combine(output, "results.md")} (.csv, .json), pretraining-mlm.png and glue-scores.png in {output}; total time {clock.Elapsed:hh\\:mm\\:ss}.");
    }

    private static string Describe(PretrainingObjective objective) => objective switch
    {
        { NeedsTeacher: true } => FormattableString.Invariant($"TCD (λB={objective.LoadBalanceWeight}, λT={objective.TrunkWeight}, λI={objective.InnerWeight}, λA={objective.AttentionWeight})"),
        { LoadBalanceWeight: > 0 } => FormattableString.Invariant($"MLM + load balance (λB={objective.LoadBalanceWeight})"),
        _ => "MLM",
    };

    private void Say(string line) => console.WriteLine(FormattableString.Invariant($"{clock.Elapsed:hh\\:mm\\:ss} {line}"));

    /// <summary>A finished pre-training run: its model, held-out log-likelihood (null when unknown) and run folder.</summary>
    private sealed record PretrainedModel(PretrainedBertTransformer Model, double? LogLikelihood, QuickstartRunFolder Folder)
    {
        /// <summary>The saved model's <see cref="BertModelStore.Fingerprint"/>: a fine-tuning result belongs to this version of the model only.</summary>
        public string Fingerprint { get; } = BertModelStore.Fingerprint(Folder.ModelFolder);
    }

    /// <summary>A task's rows, and its files as their content (<see cref="QuickstartSettings.GlueFilesIdentity"/>).</summary>
    private sealed record TaskData(GlueTask Task, IDataView Train, IDataView Dev, string FilesIdentity);

    /// <summary>One model's row of the table: its fine-tuning results in the order of <see cref="FineTuningTasks"/>.</summary>
    private sealed record ModelResults(string Name, PretrainedModel Model, IReadOnlyList<QuickstartTaskResult> Results);

    private sealed class Document
    {
        public string Text { get; set; } = string.Empty;
    }

    /// <summary>One GLUE example; <see cref="Pair"/> stays empty for single-sentence tasks.</summary>
    private sealed class GlueRow
    {
        public string Text { get; set; } = string.Empty;

        public string Pair { get; set; } = string.Empty;

        public bool Label { get; set; }
    }
}
