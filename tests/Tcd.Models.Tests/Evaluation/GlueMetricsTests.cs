using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;

namespace Tcd.Models.Tests.Evaluation;

public class GlueMetricsTests
{
    // Shared binary example, by hand:
    //   index       0 1 2 3 4
    //   prediction  1 0 1 1 0
    //   label       1 1 1 0 0
    //   → TP = 2 (0, 2), FN = 1 (1), FP = 1 (3), TN = 1 (4).
    private static readonly int[] Predictions = [1, 0, 1, 1, 0];
    private static readonly int[] Labels = [1, 1, 1, 0, 0];

    [Fact]
    public void Accuracy_IsTheFractionCorrect()
    {
        // Correct at 0, 2, 4: 3 / 5.
        GlueMetrics.Accuracy(Predictions, Labels).Should().BeApproximately(0.6, 1e-12);
    }

    [Fact]
    public void F1_OfClassOne()
    {
        // 2·TP / (2·TP + FP + FN) = 4 / (4 + 1 + 1) = 2/3.
        GlueMetrics.F1(Predictions, Labels).Should().BeApproximately(2.0 / 3, 1e-12);
        // Class 0: TP = 1, FP = 1, FN = 1 → 2 / 4.
        GlueMetrics.F1(Predictions, Labels, positiveClass: 0).Should().BeApproximately(0.5, 1e-12);
        GlueMetrics.F1([0, 0], [0, 0]).Should().Be(0, "no positive predictions or labels");
    }

    [Fact]
    public void MatthewsCorrelation_Binary()
    {
        // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (2 − 1) / sqrt(3·3·2·2) = 1/6.
        GlueMetrics.MatthewsCorrelation(Predictions, Labels).Should().BeApproximately(1.0 / 6, 1e-12);
        GlueMetrics.MatthewsCorrelation([1, 0, 1], [1, 0, 1]).Should().BeApproximately(1, 1e-12);
        GlueMetrics.MatthewsCorrelation([0, 1, 0], [1, 0, 1]).Should().BeApproximately(-1, 1e-12);
    }

    [Fact]
    public void MatthewsCorrelation_AllOneClass_IsZero()
    {
        // Every prediction is 1: (TN + FN) = 0 makes the denominator 0.
        GlueMetrics.MatthewsCorrelation([1, 1, 1, 1], [1, 0, 1, 0]).Should().Be(0);
        // Every label is 1.
        GlueMetrics.MatthewsCorrelation([1, 0, 1, 0], [1, 1, 1, 1]).Should().Be(0);
    }

    [Fact]
    public void MatthewsCorrelation_MultiClass()
    {
        // labels 0 1 2 0 1 2, predictions 0 1 1 0 2 2: correct c = 4, samples s = 6,
        // label counts t = (2, 2, 2), prediction counts p = (2, 2, 2), Σp·t = 12, Σp² = Σt² = 12.
        // (c·s − Σp·t) / sqrt((s² − Σp²)(s² − Σt²)) = (24 − 12) / sqrt(24 · 24) = 0.5.
        GlueMetrics.MatthewsCorrelation([0, 1, 1, 0, 2, 2], [0, 1, 2, 0, 1, 2]).Should().BeApproximately(0.5, 1e-12);
    }

    [Fact]
    public void Pearson_ByHand()
    {
        // x = 1 2 3 4 (mean 2.5), y = 2 4 5 9 (mean 5).
        // dx = −1.5 −0.5 0.5 1.5, dy = −3 −1 0 4: Σdx·dy = 4.5 + 0.5 + 0 + 6 = 11,
        // Σdx² = 5, Σdy² = 26 → r = 11 / sqrt(130) = 0.96476382...
        GlueMetrics.PearsonCorrelation([1, 2, 3, 4], [2, 4, 5, 9]).Should().BeApproximately(11 / Math.Sqrt(130), 1e-9);
        GlueMetrics.PearsonCorrelation([1, 1, 1], [1, 2, 3]).Should().Be(0, "a constant input has no correlation");
    }

    [Fact]
    public void AverageRanks_TiesShareTheirMeanRank()
    {
        GlueMetrics.AverageRanks([10, 20, 20, 30]).Should().Equal(1, 2.5, 2.5, 4);
        GlueMetrics.AverageRanks([3, 1, 3, 3, 2]).Should().Equal(4, 1, 4, 4, 2);
    }

    [Fact]
    public void Spearman_WithTies_ByHand()
    {
        // x = 1 2 2 3   → ranks 1 2.5 2.5 4
        // y = 10 30 20 20 → ranks 1 4 2.5 2.5 (the two 20s share ranks 2 and 3)
        // Both rank vectors have mean 2.5: dx = −1.5 0 0 1.5, dy = −1.5 1.5 0 0.
        // Σdx·dy = 2.25, Σdx² = Σdy² = 4.5 → ρ = 2.25 / 4.5 = 0.5.
        GlueMetrics.SpearmanCorrelation([1, 2, 2, 3], [10, 30, 20, 20]).Should().BeApproximately(0.5, 1e-12);
        // A monotone but non-linear relation has Spearman 1.
        GlueMetrics.SpearmanCorrelation([1, 2, 3, 4], [1, 4, 9, 100]).Should().BeApproximately(1, 1e-12);
    }

    [Fact]
    public void Metrics_RejectMismatchedOrEmptyInputs()
    {
        var mismatched = () => GlueMetrics.Accuracy([1, 0], [1]);
        var empty = () => GlueMetrics.F1([], []);
        var notFinite = () => GlueMetrics.PearsonCorrelation([1, float.NaN], [1, 2]);

        mismatched.Should().Throw<ArgumentException>().WithMessage("*same length*");
        empty.Should().Throw<ArgumentException>().WithMessage("*empty*");
        notFinite.Should().Throw<ArgumentException>().WithMessage("*NaN*");
    }

    [Fact]
    public void Evaluate_Mrpc_ReportsF1AndAccuracyInPercentAndTheirMean()
    {
        var result = GlueMetrics.Evaluate(GlueTask.Mrpc, Predictions, Labels);

        result.Column.Should().Be("MRPC");
        result.Metrics[GlueMetric.F1].Should().BeApproximately(200.0 / 3, 1e-9);
        result.Metrics[GlueMetric.Accuracy].Should().BeApproximately(60, 1e-9);
        result.Score.Should().BeApproximately((200.0 / 3 + 60) / 2, 1e-9);
    }

    [Fact]
    public void Evaluate_CoLA_ReportsMatthewsInPercent()
    {
        var result = GlueMetrics.Evaluate(GlueTask.CoLA, Predictions, Labels);

        result.Metrics.Should().ContainSingle().Which.Key.Should().Be(GlueMetric.MatthewsCorrelation);
        result.Score.Should().BeApproximately(100.0 / 6, 1e-9);
    }

    [Fact]
    public void Evaluate_StsB_ReportsPearsonAndSpearman()
    {
        var result = GlueMetrics.Evaluate(GlueTask.StsB, [1f, 2f, 2f, 3f], [10f, 30f, 20f, 20f]);

        // Pearson of the raw values: x mean 2, y mean 20; dx = −1 0 0 1, dy = −10 10 0 0 → Σdx·dy = 10,
        // Σdx² = 2, Σdy² = 200 → r = 10 / 20 = 0.5. Spearman 0.5 (see Spearman_WithTies_ByHand).
        result.Metrics[GlueMetric.PearsonCorrelation].Should().BeApproximately(50, 1e-9);
        result.Metrics[GlueMetric.SpearmanCorrelation].Should().BeApproximately(50, 1e-9);
        result.Score.Should().BeApproximately(50, 1e-9);
    }

    [Fact]
    public void Evaluate_RejectsTheWrongKindAndOutOfRangeClasses()
    {
        var regressionAsClasses = () => GlueMetrics.Evaluate(GlueTask.StsB, [1], [1]);
        var classesAsScores = () => GlueMetrics.Evaluate(GlueTask.Rte, [1f], [1f]);
        var outOfRange = () => GlueMetrics.Evaluate(GlueTask.Rte, [2, 0], [1, 0]);

        regressionAsClasses.Should().Throw<ArgumentException>().WithMessage("*STS-B is a regression task*");
        classesAsScores.Should().Throw<ArgumentException>().WithMessage("*RTE is a classification task*");
        outOfRange.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*predictions[0] = 2*entailment, not_entailment*");
    }

    [Fact]
    public void GlueScore_AveragesMultiMetricTasksFirst_ThenTheColumns()
    {
        var results = new[]
        {
            Result("CoLA", (GlueMetric.MatthewsCorrelation, 50)),
            Result("MRPC", (GlueMetric.F1, 90), (GlueMetric.Accuracy, 86)),
            Result("STS-B", (GlueMetric.PearsonCorrelation, 88), (GlueMetric.SpearmanCorrelation, 87)),
            Result("MNLI-m", (GlueMetric.Accuracy, 84)),
            Result("MNLI-mm", (GlueMetric.Accuracy, 83)),
        };

        // Columns: 50, (90 + 86) / 2 = 88, (88 + 87) / 2 = 87.5, 84, 83 → 392.5 / 5 = 78.5.
        // Averaging all seven metrics flat would give 568 / 7 = 81.14 instead.
        GlueMetrics.GlueScore(results).Should().BeApproximately(78.5, 1e-9);
    }

    [Fact]
    public void GlueScore_RejectsDuplicateColumnsAndNoResults()
    {
        var mnli = Result("MNLI-m", (GlueMetric.Accuracy, 84));

        var duplicate = () => GlueMetrics.GlueScore([mnli, mnli]);
        var none = () => GlueMetrics.GlueScore([]);

        duplicate.Should().Throw<ArgumentException>().WithMessage("*'MNLI-m'*2 times*");
        none.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void TaskResult_PrintsItsScoreAndEachMetric()
    {
        Result("MRPC", (GlueMetric.F1, 90), (GlueMetric.Accuracy, 86)).ToString()
            .Should().Be("MRPC 88.00 (F1 90.00, Accuracy 86.00)");
    }

    private static GlueTaskResult Result(string column, params (GlueMetric Metric, double Value)[] metrics)
    {
        var values = metrics.ToDictionary(m => m.Metric, m => m.Value);
        return new GlueTaskResult(column, values, values.Values.Average());
    }

    [Fact]
    public void EvaluateOutputs_ScoresLogitsByTheTasksGlueMetricInPercent()
    {
        float[][] logits = [[0.1f, 2f], [3f, -1f], [0f, 1f], [1f, 0f]];
        float[] labels = [1, 0, 0, 0];

        var mrpc = GlueMetrics.EvaluateOutputs(GlueTask.Mrpc, logits, labels);
        var cola = GlueMetrics.EvaluateOutputs(GlueTask.CoLA, logits, labels);
        var stsb = GlueMetrics.EvaluateOutputs(GlueTask.StsB, [[1f], [2f], [3f]], [1f, 2f, 3f]);

        mrpc.Metrics[GlueMetric.Accuracy].Should().BeApproximately(75, 1e-9);
        mrpc.Metrics[GlueMetric.F1].Should().BeApproximately(100 * 2.0 / 3, 1e-9);
        mrpc.Score.Should().BeApproximately((75 + 100 * 2.0 / 3) / 2, 1e-9, "MRPC selects on the mean of F1 and accuracy");
        cola.Score.Should().BeApproximately(100 * GlueMetrics.MatthewsCorrelation([1, 0, 1, 0], [1, 0, 0, 0]), 1e-9);
        stsb.Score.Should().BeApproximately(100, 1e-9);
        mrpc.Metrics.Keys.Select(GlueMetrics.DisplayName).Should().BeEquivalentTo("F1", "accuracy");
        GlueMetrics.DisplayName(GlueMetric.PearsonCorrelation).Should().Be("Pearson");
    }

    [Fact]
    public void STS_B_outputs_are_scored_as_the_clipped_scores_a_submission_holds()
    {
        float[][] outputs = [[-3f], [5.5f], [2.5f], [4f]];
        float[] gold = [0f, 5f, 2.5f, 4f];

        var result = GlueMetrics.EvaluateOutputs(GlueTask.StsB, outputs, gold);

        outputs.Select(GlueMetrics.PredictedScore).Should().Equal(gold);
        result.Metrics[GlueMetric.PearsonCorrelation].Should().BeApproximately(100, 1e-9, "the clipped scores are the gold ones");
        (100 * GlueMetrics.PearsonCorrelation(outputs.Select(row => row[0]).ToArray(), gold)).Should().BeLessThan(99, "the raw outputs are not");
        GlueMetrics.EvaluateOutputs(GlueTask.StsB, [[-1f], [-2f], [-0.5f]], [1f, 2f, 3f]).Metrics[GlueMetric.PearsonCorrelation]
            .Should().Be(0, "outputs all below the range predict 0 for every pair, which correlates with nothing");
    }
}
