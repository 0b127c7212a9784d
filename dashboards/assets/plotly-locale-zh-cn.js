/* plotly.js toolbar in Chinese (zh-CN); registered before or after plotly.js loads. */
(function () {
  var locale = {"moduleType":"locale","name":"zh-CN","dictionary":{"Autoscale":"自动缩放","Box Select":"框选","Compare data on hover":"悬停时比较各系列数据","Download plot":"下载图片","Download plot as a PNG":"下载为 PNG 图片","Download plot as JSON":"下载为 JSON 文件","Lasso Select":"套索选择","Orbital rotation":"环绕旋转","Pan":"平移","Reset":"重置","Reset axes":"重置坐标轴","Reset camera to default":"镜头恢复默认","Reset camera to last save":"镜头恢复上次保存","Reset view":"重置视图","Reset views":"重置视图","Show closest data on hover":"悬停时显示最近的数据","Toggle Spike Lines":"显示/隐藏辅助线","Toggle show closest data on hover":"切换悬停显示最近数据","Turntable rotation":"转台旋转","Zoom":"缩放","Zoom in":"放大","Zoom out":"缩小","Preparing image - this may take a few seconds":"正在生成图片，请稍候…","Image download succeeded":"图片已下载","Sorry, there was a problem downloading your image!":"图片下载失败，请重试。","JSON download succeeded":"JSON 文件已下载","Sorry, there was a problem downloading your JSON file!":"JSON 文件下载失败，请重试。","Double-click to zoom back out":"双击恢复原始大小","Double-click on legend to isolate one trace":"双击图例可只看该系列","Produced with Plotly.js":"由 Plotly.js 绘制","trace":"系列"},"format":{"days":["星期日","星期一","星期二","星期三","星期四","星期五","星期六"],"shortDays":["周日","周一","周二","周三","周四","周五","周六"],"months":["一月","二月","三月","四月","五月","六月","七月","八月","九月","十月","十一月","十二月"],"shortMonths":["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"],"date":"%Y-%m-%d","decimal":".","thousands":","}};
  if (window.Plotly && typeof window.Plotly.register === 'function') {
    window.Plotly.register(locale);
  } else {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  }
})();
