using Tcd.Experiments.Glue;
using Tcd.Models.Modeling;

namespace Tcd.Experiments.Tests.Glue;

public sealed class GlueSuiteGridOptionsTests
{
    [Fact]
    public void Lists_not_given_keep_the_grids_own()
    {
        GlueSuiteGridOptions.Apply(GlueSuiteGrid.Quick, null, null, null).Should().Be(GlueSuiteGrid.Quick);
    }

    [Fact]
    public void Lists_given_replace_the_grids_rates_and_the_sizes_of_models_of_every_width()
    {
        var grid = GlueSuiteGridOptions.Apply(GlueSuiteGrid.Paper, " 2e-5,5E-5 ", "3e-4", "16, 32");

        grid.FullLearningRates.Should().Equal(2e-5, 5e-5);
        grid.AdapterLearningRates.Should().Equal(3e-4);
        grid.AdapterSizes.Should().Equal(16, 32);
        grid.LargeModelAdapterSizes.Should().Equal(16, 32);
        grid.ConfigurationsFor(BertConfig.PaperLarge).Select(c => c.ToString()).Should().Equal(
            "full lr=2e-05", "full lr=5e-05", "adapters lr=3e-04 size=16", "adapters lr=3e-04 size=32");
    }

    [Fact]
    public void None_switches_a_mode_off_in_any_case()
    {
        GlueSuiteGridOptions.Apply(GlueSuiteGrid.Paper, "2e-5", "None", null).ConfigurationsFor(BertConfig.PaperLarge).Select(c => c.ToString())
            .Should().Equal(["full lr=2e-05"], "a one-cell grid");
        GlueSuiteGridOptions.Apply(GlueSuiteGrid.Quick, "NONE", null, null).FullLearningRates.Should().BeEmpty();
    }

    [Theory]
    [InlineData("2e-5,fast", null, null, "--full-lr: 'fast' is not a learning rate, a number above 0; give values separated by commas, e.g. --full-lr 1e-5,2e-5, or 'none'.")]
    [InlineData(null, "-3e-4", null, "--adapter-lr: '-3e-4' is not a learning rate, a number above 0; give values separated by commas, e.g. --adapter-lr 1e-4,3e-4, or 'none'.")]
    [InlineData(null, "1e-4,,3e-4", null, "--adapter-lr: '' is not a learning rate*")]
    [InlineData(null, null, "0", "--adapter-sizes: '0' is not an adapter size, a whole number above 0; give values separated by commas, e.g. --adapter-sizes 16,64.")]
    [InlineData(null, null, "none", "--adapter-sizes: 'none' is not an adapter size*")]
    [InlineData(null, null, "64.5", "--adapter-sizes: '64.5' is not an adapter size*")]
    public void A_wrong_item_is_a_format_error_naming_the_option_and_the_item(string? full, string? adapter, string? sizes, string message)
    {
        var act = () => GlueSuiteGridOptions.Apply(GlueSuiteGrid.Paper, full, adapter, sizes);

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public void Switching_both_modes_off_is_refused_naming_both_options()
    {
        var act = () => GlueSuiteGridOptions.Apply(GlueSuiteGrid.Paper, "none", "none", "64");

        act.Should().Throw<ArgumentException>().WithMessage(
            "--full-lr and --adapter-lr leave the grid without a configuration; give learning rates to at least one of them.");
    }
}
