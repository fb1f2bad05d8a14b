using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Training;

namespace Tcd.MLNet.Tests.Estimators;

public class BertPretrainingEstimatorTests
{
    [Fact]
    public void Teacher_fits_on_a_text_column_and_maps_it_to_features()
    {
        var mlContext = new MLContext(seed: 1);
        var logged = new List<string>();
        mlContext.Log += (_, e) => { if (e.Source.StartsWith("Tcd", StringComparison.Ordinal)) { lock (logged) { logged.Add(e.Message); } } };
        var reports = new List<PretrainingProgress>();
        var options = TcdTestData.PretrainingOptions<BertPretrainingOptions>();
        options.Progress = new SynchronousProgress(reports);

        var teacher = mlContext.Tcd().PretrainTeacher(options).Fit(TcdTestData.Corpus(mlContext));

        teacher.PretrainingResult!.Steps.Should().Be(3);
        teacher.Config.IsMoe.Should().BeFalse();
        reports.Select(r => r.Step).Should().Equal(1, 2, 3);
        logged.Should().Contain(m => m.Contains("step 3/3", StringComparison.Ordinal));
        var features = mlContext.Data.CreateEnumerable<FeatureRow>(teacher.Transform(TcdTestData.Corpus(mlContext)), reuseRowObject: false).ToList();
        features.Should().HaveCount(12);
        features.Should().OnlyContain(row => row.Features.Length == 32 && row.Features.All(float.IsFinite));
        features[0].Features.Should().NotEqual(features[1].Features);
    }

    [Fact]
    public void Moe_and_distillation_share_the_estimator_with_their_objectives()
    {
        var mlContext = new MLContext(seed: 1);
        var moe = mlContext.Tcd().PretrainMoe(TcdTestData.PretrainingOptions<MoePretrainingOptions>());
        moe.Objective.LoadBalanceWeight.Should().Be(1000);
        moe.Model.ExpertCount.Should().Be(4);
        moe.Fit(TcdTestData.Corpus(mlContext)).Config.ExpertCount.Should().Be(4);

        var distillation = mlContext.Tcd().Distill(TcdTestData.Teacher, new DistillationOptions { Training = TcdTestData.FastPretraining(2), ExpertCount = 2 });
        distillation.Objective.Should().Be(PretrainingObjective.TransferCapabilityDistillation());
        distillation.Model.Should().Be(TcdTestData.Teacher.Config.WithExperts(2));
        var student = distillation.Fit(TcdTestData.Corpus(mlContext));
        student.PretrainingResult!.LastLosses.Should().ContainKeys("trunk", "inner", "load_balance");
        student.Encoder.Should().BeSameAs(TcdTestData.Teacher.Encoder);
    }

    [Fact]
    public void Schema_errors_name_the_column_and_the_expected_type()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Tcd().PretrainTeacher(textColumnName: "Body", model: TcdTestData.Tiny);
        var data = TcdTestData.Corpus(mlContext);

        var missing = () => estimator.Fit(data);
        missing.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Body'*String*'Text'*");
        var shape = () => estimator.GetOutputSchema(Shapes.Of(data.Schema));
        shape.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Body'*");

        var numbers = mlContext.Data.LoadFromEnumerable(new[] { new ScoreRow { Text = "x", Label = 1 } });
        var mistyped = () => mlContext.Tcd().PretrainTeacher(textColumnName: "Label").GetOutputSchema(Shapes.Of(numbers.Schema));
        mistyped.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label'*Single*String*");
    }

    [Fact]
    public void Output_shape_adds_the_feature_vector()
    {
        var mlContext = new MLContext(seed: 1);
        var shape = mlContext.Tcd().PretrainTeacher(model: TcdTestData.Tiny).GetOutputSchema(Shapes.Of(TcdTestData.Corpus(mlContext).Schema));
        var features = shape.Single(column => column.Name == "Features");
        features.Kind.Should().Be(SchemaShape.Column.VectorKind.Vector);
        features.ItemType.Should().Be(NumberDataViewType.Single);
        shape.Should().Contain(column => column.Name == "Text");
    }

    [Fact]
    public void Blank_rows_are_skipped_and_counted_and_an_all_blank_column_is_an_error()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Message.Contains("blank rows", StringComparison.Ordinal)) { lock (warnings) { warnings.Add(e.Message); } } };
        var rows = mlContext.Data.CreateEnumerable<TextInput>(TcdTestData.Corpus(mlContext), reuseRowObject: false)
            .Concat(new[] { new TextInput { Text = "" }, new TextInput { Text = "   " } });
        var options = TcdTestData.PretrainingOptions<BertPretrainingOptions>();
        options.Training = TcdTestData.FastPretraining(1);

        mlContext.Tcd().PretrainTeacher(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
        warnings.Should().ContainSingle().Which.Should().Contain("Skipped 2 blank rows of column 'Text'");

        var blank = mlContext.Data.LoadFromEnumerable(new[] { new TextInput { Text = " " } });
        var fit = () => mlContext.Tcd().PretrainTeacher(options).Fit(blank);
        fit.Should().Throw<InvalidOperationException>().WithMessage("Column 'Text' has no text*");
    }

    [Fact]
    public void Cancellation_returns_the_weights_so_far()
    {
        var mlContext = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var options = TcdTestData.PretrainingOptions<BertPretrainingOptions>();
        options.CancellationToken = cancellation.Token;

        var teacher = mlContext.Tcd().PretrainTeacher(options).Fit(TcdTestData.Corpus(mlContext));

        teacher.PretrainingResult!.Cancelled.Should().BeTrue();
        teacher.PretrainingResult.Steps.Should().Be(0);
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class SynchronousProgress(List<PretrainingProgress> reports) : IProgress<PretrainingProgress>
    {
        public void Report(PretrainingProgress value) => reports.Add(value);
    }
}
