const main = document.getElementById('app');
if (main) main.textContent = 'newswatch';
