using Tcd.Models.Data.Glue;

namespace Tcd.Models.Evaluation;

/// <summary>
/// The official GLUE metrics in one place. The metric functions (<see cref="Accuracy"/>, <see cref="F1"/>,
/// <see cref="MatthewsCorrelation"/>, <see cref="PearsonCorrelation"/>, <see cref="SpearmanCorrelation"/>) return
/// their natural range (fractions in [0, 1], correlations in [-1, 1]); <see cref="Evaluate(GlueTask, ReadOnlySpan{int}, ReadOnlySpan{int}, string?)"/>
/// and <see cref="GlueScore"/> report percent (×100) like GLUE tables and papers.
/// </summary>
public static class GlueMetrics
{
    /// <summary>Lowest and highest STS-B similarity score.</summary>
    private const float MinimumSimilarity = 0f, MaximumSimilarity = 5f;

    /// <summary>Fraction of <paramref name="predictions"/> equal to <paramref name="labels"/>, in [0, 1].</summary>
    public static double Accuracy(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels)
    {
        RequireSameNonZeroLength(predictions.Length, labels.Length);
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (predictions[i] == labels[i])
            {
                correct++;
            }
        }

        return (double)correct / labels.Length;
    }

    /// <summary>
    /// F1 of <paramref name="positiveClass"/> (1 for MRPC and QQP): 2·TP / (2·TP + FP + FN), in [0, 1].
    /// 0 when there is neither a positive prediction nor a positive label (scikit-learn's default).
    /// </summary>
    public static double F1(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, int positiveClass = 1)
    {
        RequireSameNonZeroLength(predictions.Length, labels.Length);
        int truePositives = 0, falsePositives = 0, falseNegatives = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var predictedPositive = predictions[i] == positiveClass;
            var actuallyPositive = labels[i] == positiveClass;
            if (predictedPositive && actuallyPositive)
            {
                truePositives++;
            }
            else if (predictedPositive)
            {
                falsePositives++;
            }
            else if (actuallyPositive)
            {
                falseNegatives++;
            }
        }

        var denominator = 2 * truePositives + falsePositives + falseNegatives;
        return denominator == 0 ? 0 : 2.0 * truePositives / denominator;
    }

    /// <summary>
    /// Matthews correlation coefficient (CoLA), in [-1, 1], in its multi-class form (scikit-learn's
    /// <c>matthews_corrcoef</c>), which equals the binary formula for two classes.
    /// 0 when a denominator is 0, e.g. when all predictions (or all labels) are one class.
    /// </summary>
    public static double MatthewsCorrelation(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels)
    {
        RequireSameNonZeroLength(predictions.Length, labels.Length);
        var labelCounts = new Dictionary<int, long>();
        var predictionCounts = new Dictionary<int, long>();
        long correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            labelCounts[labels[i]] = labelCounts.GetValueOrDefault(labels[i]) + 1;
            predictionCounts[predictions[i]] = predictionCounts.GetValueOrDefault(predictions[i]) + 1;
            if (predictions[i] == labels[i])
            {
                correct++;
            }
        }

        double samples = labels.Length;
        double predictedTimesTrue = 0, predictedSquared = 0, trueSquared = 0;
        foreach (var (label, count) in predictionCounts)
        {
            predictedTimesTrue += (double)count * labelCounts.GetValueOrDefault(label);
            predictedSquared += (double)count * count;
        }

        foreach (var count in labelCounts.Values)
        {
            trueSquared += (double)count * count;
        }

        var denominator = Math.Sqrt((samples * samples - predictedSquared) * (samples * samples - trueSquared));
        return denominator == 0 ? 0 : (correct * samples - predictedTimesTrue) / denominator;
    }

    /// <summary>
    /// Pearson correlation of <paramref name="x"/> and <paramref name="y"/>, in [-1, 1]; computed in double precision.
    /// 0 when either input is constant (the correlation is undefined there; 0 keeps a GLUE average finite).
    /// </summary>
    public static double PearsonCorrelation(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireSameNonZeroLength(x.Length, y.Length);
        var xs = new double[x.Length];
        var ys = new double[y.Length];
        for (var i = 0; i < x.Length; i++)
        {
            xs[i] = RequireFinite(x[i], nameof(x), i);
            ys[i] = RequireFinite(y[i], nameof(y), i);
        }

        return Pearson(xs, ys);
    }

    /// <summary>
    /// Spearman rank correlation: the Pearson correlation of the ranks, ties given their average rank
    /// (<see cref="AverageRanks"/>), in [-1, 1]. 0 when either input is constant.
    /// </summary>
    public static double SpearmanCorrelation(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireSameNonZeroLength(x.Length, y.Length);
        for (var i = 0; i < x.Length; i++)
        {
            RequireFinite(x[i], nameof(x), i);
            RequireFinite(y[i], nameof(y), i);
        }

        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>
    /// 1-based ranks of <paramref name="values"/> in ascending order; tied values share the mean of the ranks they
    /// span (e.g. <c>[10, 20, 20, 30]</c> → <c>[1, 2.5, 2.5, 4]</c>), as in <c>scipy.stats.rankdata</c>.
    /// </summary>
    public static double[] AverageRanks(ReadOnlySpan<float> values)
    {
        var keys = values.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        var ranks = new double[keys.Length];
        var start = 0;
        while (start < keys.Length)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            // Positions start..end-1 hold equal values: 1-based ranks start+1..end, whose mean is (start+1+end)/2.
            var averageRank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                ranks[order[i]] = averageRank;
            }

            start = end;
        }

        return ranks;
    }

    /// <summary>
    /// Evaluates class predictions for a classification task (every task except STS-B) with its official metrics,
    /// in percent. <paramref name="predictions"/> and <paramref name="labels"/> are class indices in the task's
    /// <see cref="GlueTask.LabelNames"/> order.
    /// </summary>
    /// <param name="task">The task whose official metrics apply.</param>
    /// <param name="predictions">Predicted class index per example.</param>
    /// <param name="labels">Gold class index per example.</param>
    /// <param name="column">Result column name; defaults to the task name. Use <c>"MNLI-m"</c> and <c>"MNLI-mm"</c> for the two MNLI dev sets.</param>
    public static GlueTaskResult Evaluate(GlueTask task, ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, string? column = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsRegression)
        {
            throw new ArgumentException(
                $"{task.Name} is a regression task; pass float scores to the Evaluate overload taking ReadOnlySpan<float>.",
                nameof(task));
        }

        RequireSameNonZeroLength(predictions.Length, labels.Length);
        RequireClassIndices(task, predictions, nameof(predictions));
        RequireClassIndices(task, labels, nameof(labels));
        var metrics = new Dictionary<GlueMetric, double>();
        foreach (var metric in task.Metrics)
        {
            metrics[metric] = 100 * metric switch
            {
                GlueMetric.Accuracy => Accuracy(predictions, labels),
                GlueMetric.F1 => F1(predictions, labels),
                GlueMetric.MatthewsCorrelation => MatthewsCorrelation(predictions, labels),
                _ => throw new InvalidOperationException($"{metric} does not apply to class predictions ({task.Name})."),
            };
        }

        return new GlueTaskResult(column ?? task.Name, metrics, metrics.Values.Average());
    }

    /// <summary>
    /// Evaluates predicted scores for the regression task STS-B with Pearson and Spearman correlation, in percent.
    /// </summary>
    /// <param name="task">The regression task (STS-B).</param>
    /// <param name="predictions">Predicted similarity score per example.</param>
    /// <param name="scores">Gold score per example (0–5 for STS-B).</param>
    /// <param name="column">Result column name; defaults to the task name.</param>
    public static GlueTaskResult Evaluate(GlueTask task, ReadOnlySpan<float> predictions, ReadOnlySpan<float> scores, string? column = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.IsRegression)
        {
            throw new ArgumentException(
                $"{task.Name} is a classification task; pass class indices to the Evaluate overload taking ReadOnlySpan<int>.",
                nameof(task));
        }

        var metrics = new Dictionary<GlueMetric, double>();
        foreach (var metric in task.Metrics)
        {
            metrics[metric] = 100 * metric switch
            {
                GlueMetric.PearsonCorrelation => PearsonCorrelation(predictions, scores),
                GlueMetric.SpearmanCorrelation => SpearmanCorrelation(predictions, scores),
                _ => throw new InvalidOperationException($"{metric} does not apply to score predictions ({task.Name})."),
            };
        }

        return new GlueTaskResult(column ?? task.Name, metrics, metrics.Values.Average());
    }

    /// <summary>
    /// Evaluates a fine-tuned network's outputs with the task's official metrics, in percent: for a classification task
    /// the highest-scoring class of each row (ties go to the first), for STS-B the regression output clipped to the
    /// score range (<see cref="PredictedScore"/>), the value a submission file holds. This is the
    /// score <c>tcd finetune</c> and the GLUE suite select epochs on (<see cref="GlueTaskResult.Score"/>), and it has the
    /// shape of a <c>FineTuner.Train</c> scorer.
    /// </summary>
    /// <param name="task">The task whose official metrics apply.</param>
    /// <param name="outputs">One row per example: the logits of each class in <see cref="GlueTask.LabelNames"/> order, or the one regression output.</param>
    /// <param name="targets">Gold class index or score per example.</param>
    /// <param name="column">Result column name; defaults to the task name.</param>
    public static GlueTaskResult EvaluateOutputs(GlueTask task, IReadOnlyList<float[]> outputs, IReadOnlyList<float> targets, string? column = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        return task.IsRegression
            ? Evaluate(task, outputs.Select(PredictedScore).ToArray(), targets.ToArray(), column)
            : Evaluate(task, outputs.Select(PredictedClass).ToArray(), targets.Select(target => (int)target).ToArray(), column);
    }

    /// <summary>
    /// The STS-B similarity a regression output predicts: the output clipped to the scores' range [0, 5]. Submission
    /// files hold it and the metrics are computed on it, so a reported score describes the predictions written.
    /// </summary>
    /// <param name="output">One network output row holding the single regression output.</param>
    public static float PredictedScore(float[] output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return Math.Clamp(output[0], MinimumSimilarity, MaximumSimilarity);
    }

    /// <summary>The class a row of logits predicts: the index of the largest value (the first on a tie).</summary>
    /// <param name="logits">One network output row, one value per class.</param>
    public static int PredictedClass(float[] logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The metric's short name as GLUE tables print it: "accuracy", "F1", "MCC", "Pearson", "Spearman".</summary>
    public static string DisplayName(GlueMetric metric) => metric switch
    {
        GlueMetric.Accuracy => "accuracy",
        GlueMetric.F1 => "F1",
        GlueMetric.MatthewsCorrelation => "MCC",
        GlueMetric.PearsonCorrelation => "Pearson",
        GlueMetric.SpearmanCorrelation => "Spearman",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a GLUE metric."),
    };

    /// <summary>
    /// The GLUE "Avg. Score" in percent: the mean over result columns of each column's <see cref="GlueTaskResult.Score"/>
    /// (multi-metric tasks such as MRPC, QQP and STS-B are averaged first). MNLI-m and MNLI-mm count as two
    /// columns, as in the BERT and TCD papers' tables.
    /// </summary>
    public static double GlueScore(IEnumerable<GlueTaskResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var columns = results.ToList();
        if (columns.Count == 0)
        {
            throw new ArgumentException("No task results were given; the GLUE score needs at least one.", nameof(results));
        }

        var duplicate = columns.GroupBy(r => r.Column, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"Result column '{duplicate.Key}' appears {duplicate.Count()} times; give each task (and MNLI-m / MNLI-mm) one result.",
                nameof(results));
        }

        return columns.Average(r => r.Score);
    }

    private static double Pearson(double[] x, double[] y)
    {
        var meanX = x.Average();
        var meanY = y.Average();
        double covariance = 0, varianceX = 0, varianceY = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var dx = x[i] - meanX;
            var dy = y[i] - meanY;
            covariance += dx * dy;
            varianceX += dx * dx;
            varianceY += dy * dy;
        }

        var denominator = Math.Sqrt(varianceX * varianceY);
        return denominator == 0 ? 0 : covariance / denominator;
    }

    private static void RequireSameNonZeroLength(int predictions, int labels)
    {
        if (predictions != labels)
        {
            throw new ArgumentException($"Predictions ({predictions}) and labels ({labels}) must have the same length.");
        }

        if (labels == 0)
        {
            throw new ArgumentException("Predictions and labels are empty; a metric needs at least one example.");
        }
    }

    private static double RequireFinite(float value, string name, int index) =>
        float.IsFinite(value)
            ? value
            : throw new ArgumentException($"{name}[{index}] is {value}; metrics need finite values (check the model output).", name);

    private static void RequireClassIndices(GlueTask task, ReadOnlySpan<int> classes, string name)
    {
        for (var i = 0; i < classes.Length; i++)
        {
            if (classes[i] < 0 || classes[i] >= task.LabelNames.Count)
            {
                throw new ArgumentOutOfRangeException(
                    name,
                    $"{name}[{i}] = {classes[i]} is not a class index of {task.Name} (0..{task.LabelNames.Count - 1}: {string.Join(", ", task.LabelNames)}).");
            }
        }
    }
}
