using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Modeling;
using Tcd.Models.Xpert;
using TorchSharp;
using Tcd.Models.Runtime;

namespace Tcd.MLNet.Tests.Estimators;

public class XpertInitializationEstimatorTests
{
    private static readonly BertConfig Target = TcdTestData.Tiny with { NumLayers = 3, HiddenSize = 16, IntermediateSize = 24 };

    [Fact]
    public void Analysis_counts_every_layer_and_domain_and_frequencies_sum_to_one()
    {
        var mlContext = new MLContext(seed: 1);
        var reports = new List<ExpertActivationProgress>();

        var table = mlContext.Tcd().AnalyzeExperts(
            TcdTestData.Moe, Domains(mlContext), new ExpertAnalysisOptions { BatchSize = 4, MaxSequenceLength = 32, Progress = new SynchronousProgress<ExpertActivationProgress>(reports.Add) });

        table.Domains.Should().Equal("wiki", "reviews");
        table.LayerCount.Should().Be(2);
        table.ExpertCount.Should().Be(4);
        for (var layer = 0; layer < table.LayerCount; layer++)
        {
            for (var domain = 0; domain < table.DomainCount; domain++)
            {
                table.TotalTokens(layer, domain).Should().BePositive();
                Enumerable.Range(0, table.ExpertCount).Sum(expert => table.Frequency(layer, domain, expert)).Should().BeApproximately(1, 1e-12);
            }
        }

        reports.Select(report => report.Domain).Distinct().Should().Equal("wiki", "reviews");
    }

    [Fact]
    public void Analysis_errors_name_the_domain_the_column_or_the_vanilla_model()
    {
        var mlContext = new MLContext(seed: 1);
        var domains = Domains(mlContext);
        domains["scores"] = mlContext.Data.LoadFromEnumerable(new[] { new ScoreRow { Text = "x", Label = 1 } });

        var mistyped = () => mlContext.Tcd().AnalyzeExperts(TcdTestData.Moe, domains, textColumnName: "Label");
        mistyped.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label'*domain 'wiki'*");
        var vanilla = () => mlContext.Tcd().AnalyzeExperts(TcdTestData.Teacher, Domains(mlContext));
        vanilla.Should().Throw<ArgumentException>().WithMessage("*Mixture-of-Experts*");
        var none = () => mlContext.Tcd().AnalyzeExperts(TcdTestData.Moe, new Dictionary<string, IDataView>());
        none.Should().Throw<ArgumentException>().WithMessage("*at least one domain*");
        var blank = new Dictionary<string, IDataView> { ["empty"] = mlContext.Data.LoadFromEnumerable(new[] { new TextInput { Text = " " } }) };
        var noText = () => mlContext.Tcd().AnalyzeExperts(TcdTestData.Moe, blank);
        noText.Should().Throw<ArgumentException>().WithMessage("*'empty'*no text*");
    }

    [Fact]
    public void Initialised_dense_model_has_the_target_shape_and_fine_tunes_as_a_text_classifier()
    {
        var mlContext = new MLContext(seed: 1);
        var corpus = TcdTestData.Corpus(mlContext);
        var estimator = mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, Options());
        var shape = estimator.GetOutputSchema(Shapes.Of(corpus.Schema)).Single(column => column.Name == "Features");
        shape.Kind.Should().Be(SchemaShape.Column.VectorKind.Vector);

        var dense = estimator.Fit(corpus);

        dense.Config.Should().Be(Target);
        dense.Model.named_parameters().Single(p => p.name == "bert.encoder.layer.2.intermediate.dense.weight").parameter.shape.Should().Equal(24, 16);
        var xpert = dense.XpertInitialization!;
        xpert.Activations.Domains.Should().Equal("wiki", "reviews");
        xpert.Selections.Should().HaveCount(2).And.OnlyContain(selection => selection.Experts.Count >= 1 && selection.Experts.Count <= 2);
        xpert.UpRelativeErrors.Should().HaveCount(2).And.OnlyContain(error => error >= 0 && error < 1);
        var features = dense.Transform(corpus).GetColumn<float[]>("Features").ToList();
        features.Should().HaveCount(12).And.OnlyContain(row => row.Length == 16 && row.All(float.IsFinite));

        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment());
        var classifier = mlContext.Tcd().TextClassifier(dense, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning() }).Fit(data);
        classifier.Config.HiddenSize.Should().Be(16);
        classifier.FineTuningResult!.EpochLosses.Should().HaveCount(2).And.OnlyContain(loss => double.IsFinite(loss));
        var metrics = mlContext.BinaryClassification.Evaluate(classifier.Transform(data));
        metrics.Accuracy.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Pretraining_can_start_from_an_xpert_model_without_changing_it()
    {
        var mlContext = new MLContext(seed: 1);
        var corpus = TcdTestData.Corpus(mlContext);
        var dense = mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, Options()).Fit(corpus);
        var before = Snapshot(dense.Model);

        var barelyTrained = mlContext.Tcd().PretrainTeacher(new BertPretrainingOptions { InitialModel = dense, Training = TcdTestData.FastPretraining(1) with { LearningRate = 1e-7 } }).Fit(corpus);
        barelyTrained.Model.Should().NotBeSameAs(dense.Model);
        LargestChange(barelyTrained.Model, before).Should().BeLessThan(1e-5, "one AdamW step at lr 1e-7 moves a weight by a few 1e-7, so every weight started as the initial model's");

        var continued = mlContext.Tcd().PretrainTeacher(new BertPretrainingOptions { InitialModel = dense, Training = TcdTestData.FastPretraining(2) }).Fit(corpus);
        continued.Config.Should().Be(Target);
        continued.PretrainingResult!.Steps.Should().Be(2);
        continued.Encoder.Should().BeSameAs(dense.Encoder);
        Differences(dense.Model, before).Should().BeEmpty("the initial model is copied, not trained");
        Differences(continued.Model, before).Should().Contain("bert.encoder.layer.0.intermediate.dense.weight");
    }

    [Fact]
    public void A_mismatched_architecture_or_target_is_rejected_with_a_clear_message()
    {
        var mlContext = new MLContext(seed: 1);
        var moeFromDense = () => mlContext.Tcd().PretrainMoe(new MoePretrainingOptions { InitialModel = TcdTestData.Teacher, Training = TcdTestData.FastPretraining() });
        moeFromDense.Should().Throw<ArgumentException>().WithMessage("*InitialModel*experts 0*experts 4*");

        var moeTarget = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target.WithExperts(2));
        moeTarget.Should().Throw<ArgumentException>().WithMessage("*dense*ExpertCount = 2*");
        var tooLong = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, new XpertInitializationOptions { MaxSequenceLength = 65 });
        tooLong.Should().Throw<ArgumentException>().WithMessage("*65*64 positions*");
        var tooWide = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target with { IntermediateSize = 96 }, Options());
        tooWide.Should().Throw<ArgumentException>().WithMessage("The target (HiddenSize 16, IntermediateSize 96) is wider than the MoE model's experts (HiddenSize 32, IntermediateSize 64)*");
        var rankTooSmall = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, new XpertInitializationOptions { HiddenRank = Target.HiddenSize - 1 });
        rankTooSmall.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"XpertInitializationOptions.HiddenRank is {Target.HiddenSize - 1}; it must lie between the target's HiddenSize ({Target.HiddenSize}) and the MoE model's (32)*");
        var tooManyExperts = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, commonExperts: 5);
        tooManyExperts.Should().Throw<ArgumentOutOfRangeException>().WithMessage("5 common experts per layer were asked for*only 4 experts per layer*");
    }

    [Fact]
    public void A_single_domain_is_fitted_with_a_warning_that_every_frequent_expert_counts_as_common()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { lock (warnings) { warnings.Add(e.Message); } } };
        var corpus = TcdTestData.Corpus(mlContext);

        var dense = mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, new Dictionary<string, IDataView> { ["wiki"] = corpus }, Target, Options()).Fit(corpus);

        dense.XpertInitialization!.Activations.Domains.Should().Equal("wiki");
        warnings.Should().ContainSingle(warning => warning.Contains("only one domain was given, so every frequently used expert counts as common") && warning.Contains("shared across several domains"));
    }

    [Fact]
    public void Two_domain_names_given_one_data_view_are_warned_of_as_text_that_counts_twice()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { lock (warnings) { warnings.Add(e.Message); } } };
        var corpus = TcdTestData.Corpus(mlContext);
        var domains = new Dictionary<string, IDataView> { ["wiki"] = corpus, ["news"] = corpus, ["reviews"] = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment()) };

        mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, domains, Target, Options()).Fit(corpus);

        warnings.Should().ContainSingle(warning => warning.Contains("XPERT: domains 'wiki' and 'news' are the same data view, " + CommonExpertSelector.RepeatedTextWarning));
    }

    [Fact]
    public void A_domain_whose_text_ends_before_one_batch_is_warned_of_by_the_analysis_and_the_estimator()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) { lock (warnings) { warnings.Add(e.Message); } } };
        var corpus = TcdTestData.Corpus(mlContext);
        var domains = new Dictionary<string, IDataView>
        {
            ["wiki"] = corpus,
            ["note"] = mlContext.Data.LoadFromEnumerable(new[] { new TextInput { Text = "hello world" } }),
        };

        mlContext.Tcd().AnalyzeExperts(TcdTestData.Moe, domains, new ExpertAnalysisOptions { BatchSize = 4, MaxSequenceLength = 32, MaxSegmentsPerDomain = 8 });
        mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, domains, Target, Options()).Fit(corpus);

        warnings.Where(warning => warning.Contains("domain 'note' gave only 4 tokens, less than one batch (BatchSize 4 × MaxSequenceLength 32)")
                                  && warning.Contains(CommonExpertSelector.ShortDomainWarning)).Should().HaveCount(2);
        warnings.Should().NotContain(warning => warning.Contains("domain 'wiki'"));
    }

    [Fact]
    public void Invalid_ranks_and_tucker_options_are_rejected_when_the_estimator_is_made()
    {
        var mlContext = new MLContext(seed: 1);

        var zeroRank = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, new XpertInitializationOptions { ExpertRank = 0 });
        zeroRank.Should().Throw<ArgumentException>().WithMessage("ExpertRank is 0; use a rank of at least 1 (a rank above 2k is capped at 2k).*");
        var negativeSweeps = () => mlContext.Tcd().InitializeFromExperts(TcdTestData.Moe, Domains(mlContext), Target, new XpertInitializationOptions { Tucker = new TuckerOptions { MaxIterations = -1 } });
        negativeSweeps.Should().Throw<ArgumentException>().WithMessage("TuckerOptions.MaxIterations is -1*");
    }

    [Fact]
    public void A_moe_model_serving_in_bfloat16_initialises_a_dense_model_in_fp32()
    {
        var mlContext = new MLContext(seed: 1);
        var corpus = TcdTestData.Corpus(mlContext);
        var file = Path.Combine(Path.GetTempPath(), $"tcd-moe-{Guid.NewGuid():N}.zip");
        try
        {
            // A copy: the shared MoE model serves the other tests in fp32.
            mlContext.Tcd().SaveModel(TcdTestData.Moe, corpus.Schema, file);
            var moe = (PretrainedBertTransformer)mlContext.Tcd().LoadModel(file, out _);
            mlContext.Tcd().MoveModel(moe, "cpu", ComputePrecision.BFloat16);

            var dense = mlContext.Tcd().InitializeFromExperts(moe, Domains(mlContext), Target, Options()).Fit(corpus);

            moe.Model.parameters().Should().OnlyContain(weight => weight.dtype == torch.ScalarType.BFloat16, "the source keeps the format it serves in");
            dense.Model.parameters().Should().OnlyContain(weight => weight.dtype == torch.ScalarType.Float32 && weight.isfinite().all().item<bool>());
            dense.XpertInitialization!.UpRelativeErrors.Should().OnlyContain(error => double.IsFinite(error) && error < 1);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static XpertInitializationOptions Options() => new()
    {
        BatchSize = 4,
        MaxSequenceLength = 32,
        MaxSegmentsPerDomain = 8,
        Tucker = new TuckerOptions { MaxIterations = 3 },
    };

    private static Dictionary<string, IDataView> Domains(MLContext mlContext) => new()
    {
        ["wiki"] = TcdTestData.Corpus(mlContext),
        ["reviews"] = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment()),
    };

    private static Dictionary<string, torch.Tensor> Snapshot(torch.nn.Module module) =>
        module.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.detach().cpu().clone());

    /// <summary>The largest absolute difference between any weight of <paramref name="module"/> and <paramref name="snapshot"/>.</summary>
    private static double LargestChange(torch.nn.Module module, Dictionary<string, torch.Tensor> snapshot) =>
        module.state_dict().Max(pair => pair.Value.detach().cpu().sub(snapshot[pair.Key]).abs().max().item<float>());

    /// <summary>The state-dict entries of <paramref name="module"/> that differ from <paramref name="snapshot"/>.</summary>
    private static List<string> Differences(torch.nn.Module module, Dictionary<string, torch.Tensor> snapshot) =>
        module.state_dict().Where(pair => !pair.Value.detach().cpu().eq(snapshot[pair.Key]).all().item<bool>()).Select(pair => pair.Key).ToList();
}
